using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Izly;

/// <summary>Izly's own record of a point of sale's operations, for the reconciliation (crous-izly-api.md §5, [designed]).</summary>
public interface IIzlyOperations
{
    /// <summary>
    /// Every operation of <paramref name="pointOfSale"/> created or updated (refunded) in [<paramref name="from"/>,
    /// <paramref name="to"/>), by increasing id, every page read. The range is at most
    /// <see cref="IzlyOptions.MaxOperationsRange"/> and the list at most <see cref="IzlyOptions.MaxOperations"/> long.
    /// Throws <see cref="ArgumentException"/> for a bad range (nothing sent), <see cref="Contracts.Channels.IzlyRefusedException"/>
    /// when Izly refuses the query, and <see cref="Contracts.Channels.IzlyUnavailableException"/> when Izly does not answer
    /// or answers something that is not a coherent list (the message says what): the list is then not to be used.
    /// </summary>
    Task<IReadOnlyList<IzlyOperation>> ListOperationsAsync(PointOfSaleId pointOfSale, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
