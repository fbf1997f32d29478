using Microsoft.Extensions.Logging;
using Middleware.Contracts.Channels;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Api.Izly;

/// <summary>The Izly client's per-sale log lines, source-generated: nothing is boxed or formatted when the level is off.</summary>
internal static partial class IzlyLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Izly debit {ClientOrderId} of {Amount} EUR at {PointOfSale}: {Status} transaction {IdTransactionIzly}")]
    public static partial void Debited(ILogger logger, string clientOrderId, decimal amount, PointOfSaleId pointOfSale, IzlyOperationStatus status, string idTransactionIzly);
}
