using Middleware.Tickets;

namespace Middleware.Payments.Sales;

/// <summary>Gives <c>outbox.status</c> the PaidNoTicket sales, which live in the sales store.</summary>
internal sealed class UnticketedSalesCounter(SaleStore store) : IUnticketedSalesCounter
{
    public Task<IReadOnlyDictionary<string, int>> CountByPointOfSaleAsync(CancellationToken cancellationToken) =>
        store.CountByPointOfSaleAsync(SaleState.PaidNoTicket, cancellationToken);
}
