using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Middleware.Tickets.Closing;

namespace Middleware.Cli.Reports;

/// <summary>
/// A closing as a page a manager prints (French, like the cashier's messages): totals by payment, VAT rate and
/// profile, refunds apart, ticket range, open items, and the journal key that signed it (to pin offline checks).
/// Every value from the middleware is HTML-encoded.
/// </summary>
internal static class ClosingHtmlReport
{
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    // Accented letters stay readable in the page's source; markup characters are encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render(ClosingReport c, string? reconciliationHtml = null)
    {
        var h = new StringBuilder();
        var period = c.Period switch { "day" => "journalière", "month" => "mensuelle", _ => "annuelle" };
        var scope = c.Scope == ClosingService.Host ? "tout l'hôte" : $"point de vente {c.Scope}";
        h.Append("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Clôture ").Append(E(c.Id)).Append("</title><style>")
            .Append("body{font-family:sans-serif;font-size:11pt;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.2em}")
            .Append("th,td{border:1px solid #999;padding:3px 8px}td.n{text-align:right}h2{font-size:13pt;margin-top:1.2em}.warn{color:#a00}")
            .Append("</style></head><body>");
        h.Append("<h1>Clôture ").Append(E(period)).Append(" n° ").Append(c.Number).Append(" — ").Append(E(c.Label)).Append("</h1>");
        h.Append("<p>").Append(E(scope)).Append(" · clôturée le ").Append(E(c.ClosedAt.ToString("dd/MM/yyyy HH:mm:ss zzz", French)))
            .Append(" par ").Append(E(c.ClosedBy)).Append(" · identifiant <code>").Append(E(c.Id)).Append("</code>");
        if (c.PreviousId is not null)
        {
            h.Append(" · précédente <code>").Append(E(c.PreviousId)).Append("</code>");
        }

        h.Append("</p>");
        h.Append("<table><tr><th>Ventes TTC</th><th>Remboursements TTC</th><th>Net TTC</th><th>Grand total perpétuel TTC</th></tr><tr>")
            .Append(N(c.Sales.TotalTtc)).Append(N(c.Refunds.TotalTtc)).Append(N(c.NetTtc)).Append(N(c.GrandTotalTtc)).Append("</tr></table>");
        Totals(h, "Ventes", c.Sales);
        Totals(h, "Remboursements", c.Refunds);

        h.Append("<h2>Tickets</h2><table><tr><th>Point de vente</th><th>Premier</th><th>Dernier</th><th>Nombre</th></tr>");
        foreach (var r in c.TicketRanges)
        {
            h.Append("<tr><td>").Append(E(r.PointOfSale)).Append("</td><td>").Append(E($"{r.FirstNumeroTicket} (#{r.FirstIdTicketEntete})"))
                .Append("</td><td>").Append(E($"{r.LastNumeroTicket} (#{r.LastIdTicketEntete})")).Append("</td>").Append(N(r.Count)).Append("</tr>");
        }

        h.Append("</table>");
        h.Append("<h2>Éléments non soldés</h2>");
        if (c.OpenItems.Count == 0)
        {
            h.Append("<p>Aucun.</p>");
        }
        else
        {
            h.Append("<table><tr><th>Nature</th><th>Point de vente</th><th>Référence</th><th>Montant</th><th>Depuis</th><th>Reporté de</th><th>Détail</th></tr>");
            foreach (var i in c.OpenItems)
            {
                h.Append("<tr class=\"warn\"><td>").Append(E(i.Kind)).Append("</td><td>").Append(E(i.PointOfSale)).Append("</td><td>").Append(E(i.Reference))
                    .Append("</td>").Append(i.Amount is { } a ? N(a) : "<td></td>").Append("<td>").Append(E(i.Since?.ToString("dd/MM/yyyy HH:mm", French) ?? ""))
                    .Append("</td><td>").Append(E(i.CarriedFrom ?? "")).Append("</td><td>").Append(E(i.Detail)).Append("</td></tr>");
            }

            h.Append("</table>");
        }

        if (reconciliationHtml is not null)
        {
            h.Append(reconciliationHtml);
        }

        if (c.Parts.Count > 0)
        {
            h.Append("<p>Somme des clôtures : ").Append(E(string.Join(", ", c.Parts))).Append("</p>");
        }

        h.Append("<p>Écritures du journal ").Append(c.AfterSeq + 1).Append(" à ").Append(c.ToSeq).Append(", clôture inscrite à l'écriture ")
            .Append(c.JournalSeq?.ToString(CultureInfo.InvariantCulture) ?? "?").Append(". Clé de signature du journal : <code>").Append(E(c.KeyId))
            .Append("</code> (à conserver : elle permet de vérifier hors ligne les archives, <code>mwctl journal verify --archive … --key-id ")
            .Append(E(c.KeyId)).Append("</code>).</p></body></html>");
        return h.ToString();
    }

    private static void Totals(StringBuilder h, string title, ClosingTotals t)
    {
        h.Append("<h2>").Append(E(title)).Append(" : ").Append(t.Tickets).Append(" ticket(s)</h2>");
        if (t.Tickets == 0)
        {
            return;
        }

        h.Append("<table><tr><th>Règlement</th><th>Nombre</th><th>Montant</th></tr>");
        foreach (var p in t.ByPayment)
        {
            var name = p.CodeReglement switch { 4 => "CB", 9 => "Izly", 12 => "Fidélité", _ => "code " + p.CodeReglement.ToString(CultureInfo.InvariantCulture) };
            h.Append("<tr><td>").Append(E($"{name} ({p.CodeReglement})")).Append("</td>").Append(N(p.Count)).Append(N(p.Amount)).Append("</tr>");
        }

        h.Append("</table><table><tr><th>TVA</th><th>Taux</th><th>HT</th><th>TVA</th><th>TTC</th></tr>");
        foreach (var v in t.ByVat)
        {
            h.Append("<tr><td>code ").Append(v.CodeTva).Append("</td><td class=\"n\">").Append(v.Rate is { } r ? E(r.ToString("0.##", French) + " %") : "?")
                .Append("</td>").Append(N(v.TotalHt)).Append(N(v.TotalVat)).Append(N(v.TotalTtc)).Append("</tr>");
        }

        h.Append("<tr><th colspan=\"2\">Total</th>").Append(N(t.TotalHt)).Append(N(t.TotalVat)).Append(N(t.TotalTtc)).Append("</tr></table>");
        h.Append("<table><tr><th>Société / tarif</th><th>Nombre</th><th>TTC</th></tr>");
        foreach (var p in t.ByProfile)
        {
            h.Append("<tr><td>").Append(p.CodeSociete).Append(" / ").Append(p.CodeTarif).Append("</td>").Append(N(p.Count)).Append(N(p.TotalTtc)).Append("</tr>");
        }

        h.Append("</table>");
    }

    private static string N(decimal amount) => "<td class=\"n\">" + E(amount.ToString("N2", French)) + "</td>";

    private static string N(int count) => "<td class=\"n\">" + count.ToString(CultureInfo.InvariantCulture) + "</td>";

    private static string E(string text) => Encoder.Encode(text);
}
