using System.Text.Json;

namespace Middleware.Chaos.Tests;

/// <summary>
/// The chaos reconciliation's checks of the injected cases, on records made up for the purpose: each injected case is
/// found as such, a case that is not what it must be is a failure, and the same records without the injection fail the
/// checks every other sale must pass.
/// </summary>
public sealed class ReconciliationTests
{
    private const string Pos = "5-1-9-8-14";
    private static readonly Guid LatePayment = Guid.Parse("0f4d6a2e-6c1b-4a51-9b0e-6d0b2a7d9f01");
    private static readonly Guid RefusedPayment = Guid.Parse("9a7c3e11-2b44-4e0f-8d5a-0c6e1f2a3b02");

    [Fact]
    public void A_late_confirmation_and_a_refused_ticket_are_found_as_such_and_nothing_fails()
    {
        var rows = Run(new Records());

        Assert.Empty(rows.Where(r => r.Failed).Select(r => r.What));
        Assert.Equal(1, Count(rows, "late IzlyPay confirmations found as such"));
        Assert.Equal(1, Count(rows, "tickets refused after the debit found as such"));
        Assert.Equal(2, Count(rows, "operations in Izly's reconciliation list"));
    }

    [Fact]
    public void A_late_confirmation_that_got_a_ticket_is_not_found_as_such()
    {
        var rows = Run(new Records { TicketForLatePayment = true });

        Assert.Equal(["late IzlyPay confirmations not found as such"], rows.Where(r => r.Failed).Select(r => r.What));
    }

    [Fact]
    public void A_refused_ticket_the_host_does_not_hold_Dead_is_not_found_as_such()
    {
        var rows = Run(new Records { RefusedTicketDead = false });

        Assert.Equal(["tickets refused after the debit not found as such"], rows.Where(r => r.Failed).Select(r => r.What));
    }

    [Fact]
    public void Without_the_injection_the_same_records_fail_the_ordinary_checks()
    {
        var rows = Run(new Records { Injected = false });

        Assert.Equal(
            [
                "Izly debits without a ticket at VEM (paid, no ticket, not PaidNoTicket, not injected)",
                "web payments paid without a ticket at VEM (not PaidNoTicket, not injected)",
                "sales the tills saw Committed whose ticket is not at VEM (not injected)",
            ],
            rows.Where(r => r.Failed).Select(r => r.What));
    }

    [Fact]
    public void An_Izly_list_that_misses_an_operation_fails()
    {
        var rows = Run(new Records { ListComplete = false });

        Assert.Equal(["Izly's reconciliation list and the sandbox's records differ (listed twice, missing, or not recorded)"], rows.Where(r => r.Failed).Select(r => r.What));
    }

    private static int Count(IReadOnlyList<ReconciliationRow> rows, string prefix) => rows.Single(r => r.What.StartsWith(prefix, StringComparison.Ordinal)).Count;

    // An IzlyPay sale whose confirmation came late (given back to the till, taken by CB: ticket 1), and a QR sale whose
    // ticket 2 VEM refused after the debit 88401.
    private static IReadOnlyList<ReconciliationRow> Run(Records r)
    {
        var ledger = new TillLedger();
        var late = new SaleRecord(Pos, SaleKind.IzlyPay) { SaleId = "sale-late", FinalState = "Committed", PaymentMethod = "cb", IdTicketEntete = "1", NumeroTicket = "2611261", TotalTtc = 3.30m };
        late.PaymentRequestIds.Add(LatePayment);
        var refused = new SaleRecord(Pos, SaleKind.Qr) { SaleId = "sale-refused", FinalState = "Committed", PaymentMethod = "izly", IdTicketEntete = "2", NumeroTicket = "2611262", TotalTtc = 1.10m, IdTransactionIzly = "88401" };
        refused.PaymentRequestIds.Add(RefusedPayment);
        ledger.Sales.Enqueue(late);
        ledger.Sales.Enqueue(refused);
        var lateOrder = TillLedger.ClientOrderId(Pos, LatePayment);
        var refusedOrder = TillLedger.ClientOrderId(Pos, RefusedPayment);

        var tickets = new List<object> { Ticket("1", "2611261", 4, 3.30m, null) };
        if (r.TicketForLatePayment)
        {
            tickets.Add(Ticket("3", "2611263", 9, 3.30m, "700001"));
        }

        var injected = r.Injected
            ? new object[]
            {
                new { kind = "lateIzlyPayConfirmation", appId = Pos, clientOrderId = lateOrder, idTransactionIzly = "700001", idTicketEntete = (string?)null },
                new { kind = "ticketRefusedAfterDebit", appId = Pos, clientOrderId = refusedOrder, idTransactionIzly = "88401", idTicketEntete = (string?)"2" },
            }
            : [];
        var listed = new List<(string, JsonElement)> { (Pos, Json(new { idTransactionIzly = "88401", clientOrderId = refusedOrder, amount = 110, status = 1 })) };
        if (r.ListComplete)
        {
            listed.Add((Pos, Json(new { idTransactionIzly = "700001", clientOrderId = lateOrder, amount = 330, status = 1 })));
        }

        return Reconciliation.Run(ledger,
            Json(tickets),
            Json(new[]
            {
                new { idTransactionIzly = "88401", appId = Pos, clientOrderId = refusedOrder, amountCents = 110L, status = 1 },
                new { idTransactionIzly = "88402", appId = Pos, clientOrderId = "izlypay:700001", amountCents = 330L, status = 1 },
            }),
            Json(new[] { new { operationId = "700001", appId = Pos, clientOrderId = lateOrder, amountCents = 330L, status = 1 } }),
            new HostExplanations(r.RefusedTicketDead ? new HashSet<(string, long)> { (Pos, 2) } : [], new Dictionary<string, string>()),
            replayMismatches: 0, replays: 0, Json(injected), listed);
    }

    private static object Ticket(string id, string numero, int codeReglement, decimal montant, string? idTransactionIzly) => new
    {
        appId = Pos, idTicketEntete = id, numeroTicket = numero,
        ticket = new { listeReglements = new[] { idTransactionIzly is null ? (object)new { codeReglement, montant } : new { codeReglement, montant, idTransactionIzly } } },
    };

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private sealed record Records
    {
        public bool Injected { get; init; } = true;
        public bool TicketForLatePayment { get; init; }
        public bool RefusedTicketDead { get; init; } = true;
        public bool ListComplete { get; init; } = true;
    }
}
