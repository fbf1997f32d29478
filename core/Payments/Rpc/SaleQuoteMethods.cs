using Middleware.Domain.Rpc;
using Middleware.Payments.Sales;

namespace Middleware.Payments.Rpc;

/// <summary><c>sale.quote</c>: the exact total per payment method before the till charges anything (PROTOCOL.md §5).</summary>
internal sealed class SaleQuoteMethods(SaleService sales) : IRpcTarget
{
    [RpcMethod("sale.quote")]
    public async Task<SaleQuoteView> QuoteAsync(string saleId, CancellationToken cancellationToken)
    {
        var quote = await sales.QuoteAsync(TillContext.Required.PointOfSale, saleId, cancellationToken).ConfigureAwait(false);
        return new SaleQuoteView(quote.Sale.Id, quote.Sale.Profile.CodeSociete, quote.Sale.Profile.CodeTarif, new SaleTotalsView(quote.Izly, quote.Cb), quote.Terminal);
    }
}

/// <summary>The answer of <c>sale.quote</c>.</summary>
/// <param name="SaleId">The sale.</param>
/// <param name="CodeSociete">The profile it is priced for.</param>
/// <param name="CodeTarif">The profile it is priced for.</param>
/// <param name="Totals">What <c>sale.pay</c> takes for each method.</param>
/// <param name="Terminal">The terminal <c>sale.pay</c> "cb" charges; null: the till charges <c>totals.cb</c> on its own
/// terminal, then sends it as <c>amount</c>.</param>
public sealed record SaleQuoteView(string SaleId, int CodeSociete, int CodeTarif, SaleTotalsView Totals, string? Terminal);

/// <summary>A sale's total (TTC, euros) per payment method.</summary>
public sealed record SaleTotalsView(decimal Izly, decimal Cb);
