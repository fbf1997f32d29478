using System.Globalization;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Chaos.Tests;

/// <summary>
/// The run's day close (issue 16), checked against the other side's records: the host closes its day (every point of
/// sale), then reconciles the closing with Izly's list and VEM's answers. Each point of sale's totals per payment code
/// must be VEM's stored tickets plus the tickets the host holds dead, ticket for ticket and euro for euro; the Izly total
/// of the period must be the sandbox's own (debits and paid web payments); every injected fault must be listed as the
/// mismatch it is; and nothing else may be listed that the host does not already explain (a dead ticket, a PaidNoTicket sale).
/// </summary>
internal static class DayCloseCheck
{
    private const int Completed = 1;
    private const int Cancelled = 5;

    public static async Task<IReadOnlyList<ReconciliationRow>> RunAsync(HostProcess host, string operatorPointOfSale, JsonElement vemTickets, JsonElement transactions,
        JsonElement webPayments, JsonElement injected, HostExplanations explanations, CancellationToken ct)
    {
        await using var op = await MiddlewareClient.ConnectAsync(host.ClientOptions(operatorPointOfSale, "chaos-day-close"), ct);
        var closing = await op.CallMutatingAsync("closing.close", new { period = "day", scope = "host" }, Guid.NewGuid(), ct);
        var reconciliation = await op.CallAsync("reconciliation.run", new { closingId = closing.GetProperty("id").GetString() }, ct);
        var parts = new List<JsonElement>();
        foreach (var id in closing.GetProperty("parts").EnumerateArray())
        {
            parts.Add(await op.CallAsync("closing.get", new { id = id.GetString() }, ct));
        }

        // The dead tickets' bodies, as the host holds them: the tickets VEM does not have.
        var dead = new List<(string Pos, int Code, decimal Amount)>();
        foreach (var group in explanations.DeadTickets.GroupBy(d => d.Pos))
        {
            await using var c = await MiddlewareClient.ConnectAsync(host.ClientOptions(group.Key, "chaos-day-close"), ct);
            foreach (var (pos, id) in group)
            {
                var ticket = (await c.CallAsync("outbox.show", new { idTicketEntete = id.ToString(CultureInfo.InvariantCulture) }, ct)).GetProperty("record").GetProperty("ticket");
                foreach (var p in ticket.GetProperty("listeReglements").EnumerateArray())
                {
                    dead.Add((pos, p.GetProperty("codeReglement").GetInt32(), p.GetProperty("montant").GetDecimal()));
                }
            }
        }

        return Rows(closing, parts, reconciliation, vemTickets, transactions, webPayments, injected, explanations, dead);
    }

    internal static IReadOnlyList<ReconciliationRow> Rows(JsonElement closing, IReadOnlyList<JsonElement> parts, JsonElement reconciliation, JsonElement vemTickets,
        JsonElement transactions, JsonElement webPayments, JsonElement injected, HostExplanations explanations, IReadOnlyList<(string Pos, int Code, decimal Amount)> dead)
    {
        var rows = new List<ReconciliationRow>();
        void Row(string what, IEnumerable<string> items, bool mismatch = true, int keep = 5)
        {
            var list = items.ToList();
            rows.Add(new ReconciliationRow(what, list.Count, mismatch, [.. list.Take(keep)]));
        }

        var vem = vemTickets.EnumerateArray().SelectMany(t => t.GetProperty("ticket").GetProperty("listeReglements").EnumerateArray()
            .Select(p => (Pos: t.GetProperty("appId").GetString()!, Code: p.GetProperty("codeReglement").GetInt32(), Amount: p.GetProperty("montant").GetDecimal()))).ToList();
        var vemCount = vemTickets.EnumerateArray().GroupBy(t => t.GetProperty("appId").GetString()!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var deadCount = explanations.DeadTickets.GroupBy(d => d.Pos).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        Row("day close: points of sale closed", parts.Select(p => p.GetProperty("id").GetString()!), mismatch: false, keep: int.MaxValue);
        var differences = new List<string>();
        var ticketDifferences = new List<string>();
        foreach (var part in parts)
        {
            var pos = part.GetProperty("scope").GetString()!;
            var closed = Payments(part.GetProperty("sales")).Concat(Payments(part.GetProperty("refunds")))
                .GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.Sum(p => p.Amount));
            var expected = vem.Where(v => v.Pos == pos).Concat(dead.Where(d => d.Pos == pos))
                .GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.Sum(p => p.Amount));
            foreach (var code in closed.Keys.Union(expected.Keys))
            {
                if (closed.GetValueOrDefault(code) != expected.GetValueOrDefault(code))
                {
                    differences.Add($"{pos} code {code}: closing {closed.GetValueOrDefault(code)} €, VEM + dead {expected.GetValueOrDefault(code)} €");
                }
            }

            var tickets = part.GetProperty("sales").GetProperty("tickets").GetInt32() + part.GetProperty("refunds").GetProperty("tickets").GetInt32();
            if (tickets != vemCount.GetValueOrDefault(pos) + deadCount.GetValueOrDefault(pos))
            {
                ticketDifferences.Add($"{pos}: closing {tickets} tickets, VEM {vemCount.GetValueOrDefault(pos)} + dead {deadCount.GetValueOrDefault(pos)}");
            }
        }

        Row("day close: totals per point of sale and payment code that differ from VEM's tickets plus the dead ones", differences);
        Row("day close: ticket counts per point of sale that differ from VEM's plus the dead ones", ticketDifferences);
        var host = closing.GetProperty("sales").GetProperty("totalTtc").GetDecimal() + closing.GetProperty("refunds").GetProperty("totalTtc").GetDecimal();
        var sumOfParts = parts.Sum(p => p.GetProperty("netTtc").GetDecimal());
        Row("day close: the host's net differs from the sum of its points of sale", host == sumOfParts ? [] : [$"host {host} €, points of sale {sumOfParts} €"]);

        // Izly's side of the period, from the sandbox's own records, per point of sale: what the reconciliation saw.
        var izlyByPos = transactions.EnumerateArray()
            .Where(t => t.GetProperty("status").GetInt32() is Completed or Cancelled && !t.GetProperty("clientOrderId").GetString()!.StartsWith("izlypay:", StringComparison.Ordinal))
            .Select(t => (Pos: t.GetProperty("appId").GetString()!, Cents: t.GetProperty("amountCents").GetInt64()))
            .Concat(webPayments.EnumerateArray().Where(w => w.GetProperty("status").GetInt32() == Completed)
                .Select(w => (Pos: w.GetProperty("appId").GetString()!, Cents: w.GetProperty("amountCents").GetInt64())))
            .GroupBy(x => x.Pos).ToDictionary(g => g.Key, g => g.Sum(x => x.Cents) / 100m, StringComparer.Ordinal);
        var mismatches = reconciliation.GetProperty("mismatches").EnumerateArray().ToList();
        var izlyDifferences = new List<string>();
        foreach (var side in reconciliation.GetProperty("pointsOfSale").EnumerateArray())
        {
            var pos = side.GetProperty("pointOfSale").GetString()!;
            var izly = side.GetProperty("izlyTotal").GetDecimal();
            if (izly != izlyByPos.GetValueOrDefault(pos))
            {
                izlyDifferences.Add($"{pos}: the reconciliation's Izly total {izly} €, the sandbox's records {izlyByPos.GetValueOrDefault(pos)} €");
            }

            // Izly's total is the closing's Izly tickets plus what Izly took without a ticket (listed as such).
            var untickets = mismatches.Where(m => m.GetProperty("pointOfSale").GetString() == pos && m.GetProperty("kind").GetString() is "lateConfirmation" or "paidWithoutTicket")
                .Sum(m => m.GetProperty("amount").GetDecimal());
            var tickets = side.GetProperty("izlyTicketTotal").GetDecimal();
            if (izly != tickets + untickets)
            {
                izlyDifferences.Add($"{pos}: Izly {izly} € ≠ Izly tickets {tickets} € + listed without ticket {untickets} €");
            }
        }

        Row("day close: Izly totals that differ from the sandbox's records, or from the Izly tickets plus the listed ones", izlyDifferences);

        var faults = injected.EnumerateArray().Select(i => (Kind: i.GetProperty("kind").GetString()!, Pos: i.GetProperty("appId").GetString()!,
            Tx: i.GetProperty("idTransactionIzly").GetString()!, Ticket: i.GetProperty("idTicketEntete").ValueKind == JsonValueKind.String ? i.GetProperty("idTicketEntete").GetString() : null)).ToList();
        bool Listed(string kind, string pos, string reference) => mismatches.Any(m => m.GetProperty("kind").GetString() == kind && m.GetProperty("pointOfSale").GetString() == pos
            && m.GetProperty("reference").GetString() == reference);
        var late = faults.Where(f => f.Kind == "lateIzlyPayConfirmation").ToList();
        var refused = faults.Where(f => f.Kind == "ticketRefusedAfterDebit").ToList();
        Row("day close: injected late IzlyPay confirmations listed as lateConfirmation", late.Where(f => Listed("lateConfirmation", f.Pos, f.Tx)).Select(f => $"{f.Pos} op {f.Tx}"), mismatch: false, keep: int.MaxValue);
        Row("day close: injected late IzlyPay confirmations not listed", late.Where(f => !Listed("lateConfirmation", f.Pos, f.Tx)).Select(f => $"{f.Pos} op {f.Tx}"));
        Row("day close: injected refused tickets listed as ticketDead", refused.Where(f => Listed("ticketDead", f.Pos, f.Ticket ?? "")).Select(f => $"{f.Pos}/{f.Ticket}"), mismatch: false, keep: int.MaxValue);
        Row("day close: injected refused tickets not listed", refused.Where(f => !Listed("ticketDead", f.Pos, f.Ticket ?? "")).Select(f => $"{f.Pos}/{f.Ticket}"));

        var lateRefs = late.Select(f => (f.Pos, f.Tx)).ToHashSet();
        bool Explained(JsonElement m)
        {
            var pos = m.GetProperty("pointOfSale").GetString()!;
            var reference = m.GetProperty("reference").GetString()!;
            return m.GetProperty("kind").GetString() switch
            {
                "lateConfirmation" => lateRefs.Contains((pos, reference)),
                "ticketDead" => long.TryParse(reference, CultureInfo.InvariantCulture, out var id) && explanations.DeadTickets.Contains((pos, id)),
                "paidWithoutTicket" => explanations.PaidNoTicket.Keys.Any(sale => m.GetProperty("detail").GetString()!.Contains(sale, StringComparison.Ordinal)),
                _ => false,
            };
        }

        Row("day close: reconciliation mismatches", mismatches.Select(Describe), mismatch: false);
        Row("day close: reconciliation mismatches neither injected nor explained by the host", mismatches.Where(m => !Explained(m)).Select(Describe));
        return rows;
    }

    private static string Describe(JsonElement m) => $"{m.GetProperty("kind").GetString()} {m.GetProperty("pointOfSale").GetString()} {m.GetProperty("reference").GetString()}: {m.GetProperty("detail").GetString()}";

    private static IEnumerable<(int Code, decimal Amount)> Payments(JsonElement totals) =>
        totals.GetProperty("byPayment").EnumerateArray().Select(p => (p.GetProperty("codeReglement").GetInt32(), p.GetProperty("amount").GetDecimal()));
}
