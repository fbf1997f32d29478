using System.Text.Json;
using Middleware.Domain.Tickets;

namespace Middleware.Tickets.Closing;

/// <summary>Sums tickets, or closings, into <see cref="ClosingTotals"/>.</summary>
internal sealed class ClosingTotalsBuilder
{
    private readonly SortedDictionary<int, (int Count, decimal Amount)> payments = [];
    private readonly SortedDictionary<int, (decimal? Rate, decimal Ht, decimal Ttc)> vat = [];
    private readonly SortedDictionary<(int, int), (int Count, decimal Ttc)> profiles = [];
    private int tickets;
    private decimal ht;
    private decimal ttc;

    public void AddTicket(VemTicket ticket, Func<int, decimal?> rateOf)
    {
        tickets++;
        foreach (var line in ticket.ListeLignes)
        {
            ht += line.TotalHt;
            ttc += line.TotalTtc;
            (decimal? Rate, decimal Ht, decimal Ttc) v = vat.GetValueOrDefault(line.CodeTva, (rateOf(line.CodeTva), 0m, 0m));
            vat[line.CodeTva] = (v.Rate ?? rateOf(line.CodeTva), v.Ht + line.TotalHt, v.Ttc + line.TotalTtc);
        }

        foreach (var payment in ticket.ListeReglements)
        {
            var p = payments.GetValueOrDefault(payment.CodeReglement);
            payments[payment.CodeReglement] = (p.Count + 1, p.Amount + payment.Montant);
        }

        var key = (ticket.Complementaire?.CodeSocieteClient ?? 0, ticket.Complementaire?.TarifClient ?? 0);
        var pr = profiles.GetValueOrDefault(key);
        profiles[key] = (pr.Count + 1, pr.Ttc + ticket.ListeLignes.Sum(l => l.TotalTtc));
    }

    public void AddTotals(ClosingTotals totals)
    {
        tickets += totals.Tickets;
        ht += totals.TotalHt;
        ttc += totals.TotalTtc;
        foreach (var p in totals.ByPayment)
        {
            var s = payments.GetValueOrDefault(p.CodeReglement);
            payments[p.CodeReglement] = (s.Count + p.Count, s.Amount + p.Amount);
        }

        foreach (var v in totals.ByVat)
        {
            (decimal? Rate, decimal Ht, decimal Ttc) s = vat.GetValueOrDefault(v.CodeTva, (v.Rate, 0m, 0m));
            vat[v.CodeTva] = (s.Rate ?? v.Rate, s.Ht + v.TotalHt, s.Ttc + v.TotalTtc);
        }

        foreach (var p in totals.ByProfile)
        {
            var s = profiles.GetValueOrDefault((p.CodeSociete, p.CodeTarif));
            profiles[(p.CodeSociete, p.CodeTarif)] = (s.Count + p.Count, s.Ttc + p.TotalTtc);
        }
    }

    public ClosingTotals Build() => new()
    {
        Tickets = tickets,
        TotalHt = ht,
        TotalVat = ttc - ht,
        TotalTtc = ttc,
        ByPayment = [.. payments.Select(p => new PaymentTotal(p.Key, p.Value.Count, p.Value.Amount))],
        ByVat = [.. vat.Select(v => new VatTotal(v.Key, v.Value.Rate, v.Value.Ht, v.Value.Ttc - v.Value.Ht, v.Value.Ttc))],
        ByProfile = [.. profiles.Select(p => new ProfileTotal(p.Key.Item1, p.Key.Item2, p.Value.Count, p.Value.Ttc))],
    };

    public static VemTicket? ParseTicket(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<VemTicket>(body, VemJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
