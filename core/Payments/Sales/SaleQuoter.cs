using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;

namespace Middleware.Payments.Sales;

/// <summary>A sale's exact totals per payment method, before paying.</summary>
/// <param name="Sale">The sale as it stands.</param>
/// <param name="Izly">Its total when paid by Izly.</param>
/// <param name="Cb">Its total when paid by CB (a profile's own VAT code, or a site's CB rule, applies).</param>
/// <param name="Terminal">The terminal <c>sale.pay</c> "cb" asks for <paramref name="Cb"/>; null: the till charges its own.</param>
public sealed record SaleQuote(Sale Sale, decimal Izly, decimal Cb, string? Terminal);

/// <summary>
/// Prices an open sale for each payment method, as <c>sale.pay</c> will: a till without a terminal charges the CB total
/// on its own terminal before calling <c>sale.pay</c>, so it must know that total first.
/// </summary>
internal sealed class SaleQuoter(SaleTransitions transitions, ISalePricer pricer, IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale)
{
    public async Task<SaleQuote> QuoteAsync(PointOfSaleId pointOfSale, string saleId, CancellationToken cancellationToken)
    {
        var sale = await transitions.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        if (sale.State != SaleState.Open)
        {
            throw new MiddlewareException(ErrorCode.SaleStateInvalid, $"The sale is {sale.State}; only an open sale is quoted (its payment has started).");
        }

        if (sale.Basket.IsEmpty)
        {
            return new SaleQuote(sale, 0m, 0m, PointOfSaleTerminal.NameOf(pointsOfSale.CurrentValue, pointOfSale));
        }

        var izly = await pricer.PriceAsync(pointOfSale, sale.Basket, sale.Profile, CodeReglement.Izly, cancellationToken).ConfigureAwait(false);
        var cb = await pricer.PriceAsync(pointOfSale, sale.Basket, sale.Profile, CodeReglement.Cb, cancellationToken).ConfigureAwait(false);
        return new SaleQuote(sale, izly.TotalTtc, cb.TotalTtc, PointOfSaleTerminal.NameOf(pointsOfSale.CurrentValue, pointOfSale));
    }
}
