using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;

namespace Middleware.Payments.Sales;

/// <summary>Reads a till's sale and moves it from one state to the next under the store's version check.</summary>
internal sealed class SaleTransitions(SaleStore store, TimeProvider time)
{
    public async Task<Sale> GetAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await store.GetAsync(saleId, cancellationToken).ConfigureAwait(false);
        // Compared parsed: no point-of-sale text formatted per call.
        return sale is not null && PointOfSaleId.TryParse(sale.PointOfSale, out var owner) && owner == pointOfSale
            ? sale
            : throw new MiddlewareException(ErrorCode.SaleNotFound, $"No sale {saleId} at point of sale {pointOfSale}.");
    }

    public async Task<Sale> MoveAsync(Sale sale, SaleState expected, Func<Sale, Sale> change, CancellationToken cancellationToken)
    {
        var next = change(sale) with { UpdatedAt = time.GetUtcNow() };
        return await store.TryUpdateAsync(next, expected, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale changed meanwhile; ask its status.");
    }
}
