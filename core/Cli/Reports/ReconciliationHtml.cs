using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Middleware.Cli.Reports;

/// <summary>A reconciliation (<c>reconciliation.run</c>'s answer) as a section of the closing's printed page, in French.</summary>
internal static class ReconciliationHtml
{
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render(JsonElement r)
    {
        var h = new StringBuilder("<h2>Rapprochement avec Izly et VEM</h2>");
        h.Append("<table><tr><th>Point de vente</th><th>Opérations Izly</th><th>Total Izly</th><th>Remboursements Izly</th><th>Tickets Izly</th><th>Total tickets Izly</th><th>Acceptés VEM</th><th>En attente</th><th>Refusés</th></tr>");
        foreach (var p in r.Items("pointsOfSale"))
        {
            h.Append("<tr><td>").Append(E(p.Text("pointOfSale"))).Append("</td>").Append(N(p, "izlyOperations")).Append(M(p, "izlyTotal"))
                .Append(M(p, "izlyRefundTotal")).Append(N(p, "izlyTickets")).Append(M(p, "izlyTicketTotal"))
                .Append(N(p, "vemAccepted")).Append(N(p, "vemPending")).Append(N(p, "vemRefused")).Append("</tr>");
        }

        h.Append("</table>");
        var mismatches = r.Items("mismatches").ToList();
        if (mismatches.Count == 0)
        {
            h.Append("<p>Aucun écart.</p>");
            return h.ToString();
        }

        h.Append("<table><tr><th>Écart</th><th>Point de vente</th><th>Référence</th><th>Montant</th><th>Constat</th><th>À faire</th></tr>");
        foreach (var m in mismatches)
        {
            h.Append("<tr class=\"warn\"><td>").Append(E(m.Text("kind"))).Append("</td><td>").Append(E(m.Text("pointOfSale"))).Append("</td><td>")
                .Append(E(m.Text("reference"))).Append("</td>").Append(M(m, "amount")).Append("<td>").Append(E(m.Text("detail"))).Append("</td><td>")
                .Append(E(m.Text("action"))).Append("</td></tr>");
        }

        return h.Append("</table>").ToString();
    }

    private static string N(JsonElement e, string name) => "<td class=\"n\">" + E(e.Text(name)) + "</td>";

    private static string M(JsonElement e, string name) => "<td class=\"n\">"
        + E(e.Get(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal().ToString("N2", French) : "") + "</td>";

    private static string E(string? text) => Encoder.Encode(text ?? "");
}
