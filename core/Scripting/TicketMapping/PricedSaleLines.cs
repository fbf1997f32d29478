using Middleware.Scripting.Globals;
using Middleware.Tickets.Model;

namespace Middleware.Scripting.TicketMapping;

/// <summary>A priced line as the ticket's sale line: one conversion for the host's sale and for <c>mwctl script test</c>'s
/// mapping cases, so a case tests the ticket the host would build.</summary>
internal static class PricedSaleLines
{
    public static List<SaleLine> ToSaleLines(this IEnumerable<PricedLine> lines) => lines.Select(l => new SaleLine
    {
        CodeArticle = l.CodeArticle,
        Quantity = l.Quantity,
        UnitPriceTtc = l.UnitPriceTtc,
        CodeTva = l.CodeTva, // what the till showed (sale.view) is what VEM receives
        Label = l.Label,
        LoyaltyGain = l.LoyaltyPoints,
        Kind = l.Kind switch
        {
            LineKind.EntryFee => SaleLineKind.EntryFee,
            LineKind.Subsidy => SaleLineKind.Subsidy,
            _ => SaleLineKind.Article,
        },
    }).ToList();
}
