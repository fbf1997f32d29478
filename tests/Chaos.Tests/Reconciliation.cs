using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Middleware.Chaos.Tests;

/// <summary>One line of the reconciliation table: a count, and whether any count but 0 is a failure.</summary>
internal sealed record ReconciliationRow(string What, int Count, bool IsMismatch, IReadOnlyList<string> Examples)
{
    public bool Failed => IsMismatch && Count != 0;
}

/// <summary>What the host says of tickets it could not deliver (explanations, not evidence): dead tickets and PaidNoTicket sales.</summary>
internal sealed record HostExplanations(IReadOnlySet<(string Pos, long Id)> DeadTickets, IReadOnlyDictionary<string, string> PaidNoTicket);

/// <summary>
/// Reconciles the run from the sandbox's own records (Izly's transactions and web payments, the tickets VEM stored),
/// against what the tills saw. Every paid sale has exactly one ticket; no sale is debited twice; no ticket exists without
/// its payment; refunds match requests; numbering is unique per point of sale and each gap is a dead ticket; every
/// requestId replay answered exactly as the first time. The cases the sandbox's reconciliation faults injected are each
/// found as what they must be (a late IzlyPay confirmation: money taken, no ticket at VEM; a ticket refused after the
/// debit: money taken, the ticket Dead at the host) and are left out of the checks above.
/// </summary>
internal static class Reconciliation
{
    private const int Completed = 1;
    private const int Cancelled = 5;

    public static IReadOnlyList<ReconciliationRow> Run(TillLedger ledger, JsonElement tickets, JsonElement transactions, JsonElement webPayments,
        HostExplanations host, int replayMismatches, int replays, JsonElement injected, IReadOnlyList<(string AppId, JsonElement Operation)> izlyList)
    {
        var rows = new List<ReconciliationRow>();
        void Row(string what, IEnumerable<string> items, bool mismatch = true, int keep = 5)
        {
            var list = items.ToList();
            rows.Add(new ReconciliationRow(what, list.Count, mismatch, [.. list.Take(keep)]));
        }

        var sales = ledger.Sales.ToList();
        var tillPoints = sales.Select(s => s.PointOfSale).ToHashSet(StringComparer.Ordinal);
        var saleByOrder = new Dictionary<string, SaleRecord>(StringComparer.Ordinal);
        foreach (var s in sales)
        {
            foreach (var rid in s.PaymentRequestIds)
            {
                saleByOrder[TillLedger.ClientOrderId(s.PointOfSale, rid)] = s;
            }
        }

        var vem = tickets.EnumerateArray().Select(t =>
        {
            var body = t.GetProperty("ticket");
            var payment = body.GetProperty("listeReglements")[0];
            return new VemTicket(t.GetProperty("appId").GetString()!, long.Parse(t.GetProperty("idTicketEntete").GetString()!, CultureInfo.InvariantCulture),
                t.GetProperty("numeroTicket").GetString()!, payment.GetProperty("codeReglement").GetInt32(),
                payment.TryGetProperty("idTransactionIzly", out var tx) ? tx.GetString() : null, payment.GetProperty("montant").GetDecimal(),
                body.TryGetProperty("codeEvenement", out var e) ? e.GetString()! : "VT",
                body.TryGetProperty("complementaire", out var c) && c.TryGetProperty("idTicketEnteteOrigine", out var o) ? o.GetString() : null);
        }).ToList();
        // Refund tickets (RB, issue 16) share their sale's Izly transaction and give its amount back: matched apart.
        var sold = vem.Where(t => t.Event != "RB").ToList();
        var izly = transactions.EnumerateArray().Select(t => new IzlyTransaction(t.GetProperty("idTransactionIzly").GetString()!, t.GetProperty("appId").GetString()!,
            t.GetProperty("clientOrderId").GetString()!, t.GetProperty("amountCents").GetInt64(), t.GetProperty("status").GetInt32())).ToList();
        var web = webPayments.EnumerateArray().Select(w => new WebPayment(w.GetProperty("operationId").GetString()!, w.GetProperty("appId").GetString()!,
            w.GetProperty("clientOrderId").GetString()!, w.GetProperty("amountCents").GetInt64(), w.GetProperty("status").GetInt32())).ToList();

        // The cases the sandbox's reconciliation faults injected: each is checked below as what it must look like, and left
        // out of the checks every other sale must pass.
        var faults = injected.EnumerateArray().Select(i => new Injected(i.GetProperty("kind").GetString()!, i.GetProperty("appId").GetString()!,
            i.GetProperty("clientOrderId").GetString()!, i.GetProperty("idTransactionIzly").GetString()!,
            i.GetProperty("idTicketEntete").ValueKind == JsonValueKind.String ? long.Parse(i.GetProperty("idTicketEntete").GetString()!, CultureInfo.InvariantCulture) : null)).ToList();
        var late = faults.Where(f => f.Kind == LateConfirmation).ToList();
        var refusedTickets = faults.Where(f => f.Kind == TicketRefused).ToList();
        var lateOperations = late.Select(f => f.IdTransactionIzly).ToHashSet(StringComparer.Ordinal);
        var refusedPayments = refusedTickets.Select(f => f.IdTransactionIzly).ToHashSet(StringComparer.Ordinal);
        var refusedTicketIds = refusedTickets.Select(f => (f.AppId, f.IdTicketEntete!.Value)).ToHashSet();

        // IzlyPay web payments are in Izly's transactions too ("izlypay:<operation>"): they are matched through the web
        // payments, whose operation id is the ticket's idTransactionIzly.
        var debits = izly.Where(t => t.Status is Completed or Cancelled && !t.ClientOrderId.StartsWith("izlypay:", StringComparison.Ordinal)).ToList();
        var paidWeb = web.Where(w => w.Status == Completed).ToList();
        var ticketsByIzly = sold.Where(t => t.CodeReglement == 9 && t.IdTransactionIzly is not null).ToLookup(t => t.IdTransactionIzly!, StringComparer.Ordinal);

        Row("Izly debits (card/QR), refunded ones included", debits.Select(d => d.Id), mismatch: false);
        Row("IzlyPay web payments paid", paidWeb.Select(w => w.OperationId), mismatch: false);
        Row("CB sales the tills committed", sales.Where(s => s.FinalState == "Committed" && s.PaymentMethod == "cb").Select(s => s.SaleId!), mismatch: false);
        Row("tickets at VEM", vem.Select(t => $"{t.AppId}/{t.Id}"), mismatch: false);

        // A paid sale without its ticket is a mismatch unless the host parked it as PaidNoTicket (its alert, with the reason).
        bool Parked(string clientOrderId) => saleByOrder.TryGetValue(clientOrderId, out var s) && s.SaleId is { } id && host.PaidNoTicket.ContainsKey(id);
        Row("Izly debits without a ticket at VEM (paid, no ticket, not PaidNoTicket, not injected)", debits.Where(d => !ticketsByIzly.Contains(d.Id) && !Parked(d.ClientOrderId) && !refusedPayments.Contains(d.Id)).Select(d => $"{d.AppId} tx {d.Id} ({d.ClientOrderId})"));
        Row("web payments paid without a ticket at VEM (not PaidNoTicket, not injected)", paidWeb.Where(w => !ticketsByIzly.Contains(w.OperationId) && !Parked(w.ClientOrderId)
            && !lateOperations.Contains(w.OperationId) && !refusedPayments.Contains(w.OperationId)).Select(w => $"{w.AppId} op {w.OperationId}"));

        // A late IzlyPay confirmation: the money is taken at Izly and VEM has no ticket for it (the host gave the sale back
        // to its till, which took it by CB).
        var webByOperation = web.ToDictionary(w => w.OperationId, StringComparer.Ordinal);
        bool LateFound(Injected f) => webByOperation.TryGetValue(f.IdTransactionIzly, out var w) && w.Status == Completed && w.ClientOrderId == f.ClientOrderId
            && !ticketsByIzly.Contains(f.IdTransactionIzly);
        Row("late IzlyPay confirmations injected", late.Select(f => $"{f.AppId} op {f.IdTransactionIzly} ({f.ClientOrderId})"), mismatch: false);
        Row("late IzlyPay confirmations found as such (money taken at Izly, no ticket at VEM)", late.Where(LateFound).Select(f => $"{f.AppId} op {f.IdTransactionIzly} sale {SaleOf(f)}"), mismatch: false, keep: int.MaxValue);
        Row("late IzlyPay confirmations not found as such", late.Where(f => !LateFound(f)).Select(f => $"{f.AppId} op {f.IdTransactionIzly}: {Describe(f)}"));

        // A ticket refused after the debit: the money is taken (the debit or web payment, refunded since or not), VEM has no
        // such ticket, and the host holds it Dead.
        var paidIds = debits.Select(d => (d.Id, d.ClientOrderId)).Concat(paidWeb.Select(w => (Id: w.OperationId, w.ClientOrderId))).ToHashSet();
        bool RefusedFound(Injected f) => paidIds.Contains((f.IdTransactionIzly, f.ClientOrderId)) && !vem.Any(t => t.AppId == f.AppId && t.Id == f.IdTicketEntete)
            && host.DeadTickets.Contains((f.AppId, f.IdTicketEntete!.Value));
        Row("tickets refused after the debit injected", refusedTickets.Select(f => $"{f.AppId}/{f.IdTicketEntete} tx {f.IdTransactionIzly}"), mismatch: false);
        Row("tickets refused after the debit found as such (money taken, ticket Dead at the host, not at VEM)", refusedTickets.Where(RefusedFound).Select(f => $"{f.AppId}/{f.IdTicketEntete} tx {f.IdTransactionIzly} sale {SaleOf(f)}"), mismatch: false, keep: int.MaxValue);
        Row("tickets refused after the debit not found as such", refusedTickets.Where(f => !RefusedFound(f)).Select(f => $"{f.AppId}/{f.IdTicketEntete} tx {f.IdTransactionIzly}: {Describe(f)}"));

        string SaleOf(Injected f) => saleByOrder.TryGetValue(f.ClientOrderId, out var sale) ? $"{sale.SaleId} ({sale.FinalState} by {sale.PaymentMethod ?? "-"})" : "unknown to the tills";
        string Describe(Injected f) => string.Join(", ",
            $"Izly {(webByOperation.TryGetValue(f.IdTransactionIzly, out var w) ? $"web payment status {w.Status}" : izly.FirstOrDefault(t => t.Id == f.IdTransactionIzly) is { } t ? $"debit status {t.Status}" : "has no such payment")}",
            $"{ticketsByIzly[f.IdTransactionIzly].Count()} tickets at VEM",
            f.IdTicketEntete is { } id ? $"Dead at the host: {host.DeadTickets.Contains((f.AppId, id))}" : "no ticket id",
            $"sale {SaleOf(f)}");
        Row("Izly transactions with more than one ticket", ticketsByIzly.Where(g => g.Count() > 1).Select(g => $"tx {g.Key}: {string.Join(", ", g.Select(t => $"{t.AppId}/{t.Id}"))}"));

        var izlyIds = debits.Select(d => d.Id).Concat(paidWeb.Select(w => w.OperationId)).ToHashSet(StringComparer.Ordinal);
        Row("Izly tickets whose transaction Izly does not have (ticket without its debit)",
            sold.Where(t => t.CodeReglement == 9 && (t.IdTransactionIzly is null || !izlyIds.Contains(t.IdTransactionIzly))).Select(t => $"{t.AppId}/{t.Id} tx {t.IdTransactionIzly}"));

        var amounts = debits.Select(d => (d.Id, d.AmountCents)).Concat(paidWeb.Select(w => (Id: w.OperationId, w.AmountCents))).ToDictionary(x => x.Id, x => x.AmountCents, StringComparer.Ordinal);
        Row("Izly tickets whose amount differs from the debit", sold.Where(t => t.CodeReglement == 9 && t.IdTransactionIzly is { } id && amounts.TryGetValue(id, out var c) && c != (long)(t.Montant * 100m))
            .Select(t => $"{t.AppId}/{t.Id}: ticket {t.Montant} €, Izly {amounts[t.IdTransactionIzly!]} cents"));

        var perSale = debits.Where(d => d.Status == Completed).Select(d => (Debit: d.Id, Sale: saleByOrder.GetValueOrDefault(d.ClientOrderId)))
            .Concat(paidWeb.Select(w => (Debit: w.OperationId, Sale: saleByOrder.GetValueOrDefault(w.ClientOrderId))))
            .Where(x => x.Sale is not null).GroupBy(x => x.Sale!);
        Row("sales paid twice (two Izly payments kept for one sale)", perSale.Where(g => g.Count() > 1).Select(g => $"{g.Key.PointOfSale} sale {g.Key.SaleId}: {string.Join(", ", g.Select(x => x.Debit))}"));
        Row("Izly payments no till asked for", debits.Select(d => (d.ClientOrderId, d.Id)).Concat(paidWeb.Select(w => (w.ClientOrderId, Id: w.OperationId)))
            .Where(x => !saleByOrder.ContainsKey(x.ClientOrderId)).Select(x => $"{x.ClientOrderId} tx {x.Id}"));

        var vemByKey = vem.GroupBy(t => (t.AppId, t.Id)).ToDictionary(g => g.Key, g => g.First());
        var committed = sales.Where(s => s.FinalState == "Committed").ToList();
        Row("sales the tills saw Committed whose ticket is not at VEM (not injected)", committed.Where(s => !vemByKey.ContainsKey((s.PointOfSale, long.Parse(s.IdTicketEntete!, CultureInfo.InvariantCulture)))
                && !refusedTicketIds.Contains((s.PointOfSale, long.Parse(s.IdTicketEntete!, CultureInfo.InvariantCulture))))
            .Select(s => $"{s.PointOfSale}/{s.IdTicketEntete} sale {s.SaleId}"));
        Row("sales whose ticket at VEM differs from the till's (number, payment, amount)", committed.Where(s => vemByKey.TryGetValue((s.PointOfSale, long.Parse(s.IdTicketEntete!, CultureInfo.InvariantCulture)), out var t)
                && (t.NumeroTicket != s.NumeroTicket || t.Montant != s.TotalTtc || t.CodeReglement != (s.PaymentMethod == "cb" ? 4 : 9) || (s.PaymentMethod != "cb" && t.IdTransactionIzly != s.IdTransactionIzly)))
            .Select(s => $"{s.PointOfSale}/{s.IdTicketEntete} sale {s.SaleId}"));
        var tillTickets = committed.Select(s => (s.PointOfSale, Id: long.Parse(s.IdTicketEntete!, CultureInfo.InvariantCulture))).ToHashSet();
        Row("CB tickets at VEM that no till committed", sold.Where(t => t.CodeReglement == 4 && !tillTickets.Contains((t.AppId, t.Id))).Select(t => $"{t.AppId}/{t.Id}"));
        Row("tickets with the same idTicketEntete at one point of sale", vem.GroupBy(t => (t.AppId, t.Id)).Where(g => g.Count() > 1).Select(g => $"{g.Key.AppId}/{g.Key.Id} x{g.Count()}"));
        Row("tickets with the same numeroTicket at one point of sale", vem.GroupBy(t => (t.AppId, t.NumeroTicket)).Where(g => g.Count() > 1).Select(g => $"{g.Key.AppId} n° {g.Key.NumeroTicket} x{g.Count()}"));

        var gaps = new List<string>();
        var explained = new List<string>();
        foreach (var pos in vem.GroupBy(t => t.AppId))
        {
            var ids = pos.Select(t => t.Id).ToHashSet();
            for (var id = 1L; id <= ids.Max(); id++)
            {
                if (!ids.Contains(id))
                {
                    (host.DeadTickets.Contains((pos.Key, id)) ? explained : gaps).Add($"{pos.Key}/{id}");
                }
            }
        }

        Row("numbering gaps explained by a dead ticket", explained, mismatch: false);
        Row("numbering gaps not explained", gaps);

        var refunded = sales.Where(s => s.RefundedPayment is not null).ToList();
        var cancelledAtIzly = izly.Where(t => t.Status == Cancelled).Select(t => t.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        Row("refunds the tills got (payment.cancel answered Cancelled)", refunded.Select(s => s.SaleId!), mismatch: false);
        var refundTickets = vem.Where(t => t.Event == "RB").ToLookup(t => (t.AppId, t.Origin));
        // A sale whose ticket VEM refused (injected) cannot have its refund ticket accepted either (VEM has no origin for
        // it): the host holds that RB dead too, and the day close lists it (its rows above check that).
        bool OfRefusedSale(SaleRecord s) => refusedTicketIds.Contains((s.PointOfSale, long.Parse(s.IdTicketEntete!, CultureInfo.InvariantCulture)));
        Row("refunds of a sale whose ticket VEM refused (injected): VEM cannot take their RB either", refunded.Where(s => OfRefusedSale(s) && !refundTickets.Contains((s.PointOfSale, s.IdTicketEntete)))
            .Select(s => $"{s.PointOfSale}/{s.IdTicketEntete} sale {s.SaleId}"), mismatch: false, keep: int.MaxValue);
        Row("refunds the tills got without a refund ticket (RB) at VEM", refunded.Where(s => !OfRefusedSale(s) && !refundTickets.Contains((s.PointOfSale, s.IdTicketEntete))).Select(s => $"{s.PointOfSale}/{s.IdTicketEntete} sale {s.SaleId}"));
        Row("refund tickets at VEM that do not give back their sale's amount, or more than one per sale", refundTickets.Where(g => g.Count() > 1
                || !vemByKey.TryGetValue((g.Key.AppId, long.Parse(g.Key.Origin ?? "0", CultureInfo.InvariantCulture)), out var origin) || g.Single().Montant != -origin.Montant)
            .Select(g => $"{g.Key.AppId}/{g.Key.Origin}: {string.Join(", ", g.Select(t => $"{t.Id} {t.Montant} €"))}"));
        Row("refunds answered Cancelled that Izly did not make", refunded.Where(s => !cancelledAtIzly.Contains(TillLedger.ClientOrderId(s.PointOfSale, s.RefundedPayment!.Value))).Select(s => s.SaleId!));
        var cancelAsked = ledger.Calls.Where(c => c.Method == "payment.cancel" && c.Parameters["paymentRequestId"] is string)
            .Select(c => TillLedger.ClientOrderId(c.PointOfSale, Guid.Parse((string)c.Parameters["paymentRequestId"]!))).ToHashSet(StringComparer.Ordinal);
        Row("refunds Izly made that the till was told cannot be made (1404)", sales.Where(s => s.RefundRefused is { } p && cancelledAtIzly.Contains(TillLedger.ClientOrderId(s.PointOfSale, p))).Select(s => s.SaleId!));
        Row("refunds at Izly no till asked for", izly.Where(t => t.Status == Cancelled && !cancelAsked.Contains(t.ClientOrderId)).Select(t => $"{t.AppId} tx {t.Id}"));

        // Izly's reconciliation list (what the day close asks Izly, §5.1) says what the sandbox's records say: every card and QR
        // debit and every web payment, with its clientOrderId, amount in cents and status (a web payment's status is that
        // of the transaction its confirmation made, refunds included).
        var izlyPayStatus = izly.Where(t => t.ClientOrderId.StartsWith("izlypay:", StringComparison.Ordinal)).ToDictionary(t => t.ClientOrderId["izlypay:".Length..], t => t.Status, StringComparer.Ordinal);
        var recorded = izly.Where(t => !t.ClientOrderId.StartsWith("izlypay:", StringComparison.Ordinal)).Select(t => $"{t.AppId} {t.Id} {t.ClientOrderId} {t.AmountCents} {t.Status}")
            .Concat(web.Select(w => $"{w.AppId} {w.OperationId} {w.ClientOrderId} {w.AmountCents} {izlyPayStatus.GetValueOrDefault(w.OperationId, w.Status)}"))
            .Where(x => tillPoints.Contains(x[..x.IndexOf(' ', StringComparison.Ordinal)])).ToHashSet(StringComparer.Ordinal);
        var listed = izlyList.Select(x => $"{x.AppId} {x.Operation.GetProperty("idTransactionIzly").GetString()} {x.Operation.GetProperty("clientOrderId").GetString()} {x.Operation.GetProperty("amount").GetInt64()} {x.Operation.GetProperty("status").GetInt32()}").ToList();
        Row("operations in Izly's reconciliation list (GET /api/payments, every till, every page)", listed, mismatch: false);
        Row("Izly's reconciliation list and the sandbox's records differ (listed twice, missing, or not recorded)",
            listed.GroupBy(x => x, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => "twice: " + g.Key)
                .Concat(recorded.Except(listed, StringComparer.Ordinal).Select(x => "not listed: " + x))
                .Concat(listed.Except(recorded, StringComparer.Ordinal).Select(x => "not recorded: " + x)));

        Row("requestId replays compared with the first answer", Enumerable.Range(0, replays).Select(i => i.ToString(CultureInfo.InvariantCulture)), mismatch: false);
        Row("requestId replays that differ from the first answer", Enumerable.Range(0, replayMismatches).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        Row("paid sales in PaidNoTicket (the host's alert, with its reason)", host.PaidNoTicket.Select(p => $"{p.Key}: {p.Value}"), mismatch: false);
        Row("sales the tills could not finish", sales.Where(s => s.FinalState is null or not ("Committed" or "Cancelled" or "PaidNoTicket")).Select(s => $"{s.PointOfSale} sale {s.SaleId} ({s.Kind}): {s.FinalState ?? "no final state"}; {string.Join("; ", s.Events)}"));
        Row("anomalies the tills saw (internal errors, unexpected answers)", ledger.Anomalies);
        return rows;
    }

    public static string Format(IReadOnlyList<ReconciliationRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| check | count | must be 0 |");
        text.AppendLine("|---|---:|:---:|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.What} | {r.Count} | {(r.IsMismatch ? (r.Count == 0 ? "ok" : "**FAIL**") : "")} |");
        }

        foreach (var r in rows.Where(r => r.Count > 0 && (r.Failed || r.What.StartsWith("paid sales in PaidNoTicket", StringComparison.Ordinal) || r.What.Contains("found as such", StringComparison.Ordinal))))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {r.What}, e.g.: {string.Join(" | ", r.Examples)}");
        }

        return text.ToString();
    }

    private const string LateConfirmation = "lateIzlyPayConfirmation";
    private const string TicketRefused = "ticketRefusedAfterDebit";

    private sealed record Injected(string Kind, string AppId, string ClientOrderId, string IdTransactionIzly, long? IdTicketEntete);

    private sealed record VemTicket(string AppId, long Id, string NumeroTicket, int CodeReglement, string? IdTransactionIzly, decimal Montant, string Event, string? Origin);

    private sealed record IzlyTransaction(string Id, string AppId, string ClientOrderId, long AmountCents, int Status);

    private sealed record WebPayment(string OperationId, string AppId, string ClientOrderId, long AmountCents, int Status);
}
