using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Domain.Rpc;
using Middleware.Payments.Journal;
using Middleware.Payments.Rpc;
using Middleware.Payments.Sales;
using Middleware.Payments.Terminals;
using Middleware.Payments.Tests.Journal;
using Middleware.Payments.Tests.Sales;
using Middleware.PluginHost;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Tests.Terminals;

/// <summary>
/// CB payments through a point of sale's payment terminal (issue 15): the intent on disk before the terminal is asked,
/// its three answers, a lost answer never asked again and settled by an operator from the receipt, the refund by credit,
/// and a till with no terminal keeping its declared CB payment. Real SQLite files; the terminal is scripted.
/// </summary>
public sealed class TerminalSaleTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private const string Terminal = "Tetra 1";
    private static readonly PointOfSaleId PosId = PointOfSaleId.Parse(Pos);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "terminal-sale-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
    private readonly RecordingTickets _tickets = new();
    private readonly ScriptedTerminal _terminal = new();

    public TerminalSaleTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_accepted_payment_commits_the_ticket_as_cb_with_the_terminals_report_and_the_intent_was_on_disk_first()
    {
        var (sales, journal, _) = NewHost();
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();

        var paying = sales.PayAsync(PosId, saleId, requestId, "cb", default);
        var asked = await WaitForRequestAsync(1);
        // The terminal is asked: the intent is already on disk, with its attempt marked.
        var intent = await journal.GetAsync(Pos, requestId, default);
        Assert.Equal((PaymentState.Pending, TerminalPayments.Channel), (intent!.State, intent.Channel));
        Assert.NotNull(intent.LastAttemptAt);
        Assert.Equal(("payment", Terminal, 3.30m, TimeSpan.FromSeconds(120)), (asked.Kind, asked.Request.TerminalName, asked.Request.Amount, asked.Request.Timeout));
        _terminal.Accept("CB VISA ****1234 AUTO 654321");
        var outcome = await paying;

        Assert.Equal(SaleState.Committed, outcome.Sale.State);
        Assert.Equal(PaymentState.Approved, outcome.Payment!.State);
        Assert.Equal("CB VISA ****1234 AUTO 654321", outcome.Payment.TerminalReport);
        Assert.Null(outcome.Payment.ResolvedBy);
        var ticket = Assert.Single(_tickets.Committed.Values).Sale;
        Assert.Equal(CodeReglement.Cb, ticket.Payment.CodeReglement);
        Assert.Null(ticket.Payment.IdTransactionIzly);
    }

    [Theory]
    [InlineData(TerminalPaymentOutcome.Refused, ErrorCode.PaymentRefused)]
    [InlineData(TerminalPaymentOutcome.NotCompleted, ErrorCode.PaymentNotCompleted)]
    public async Task A_refusal_or_an_unfinished_payment_leaves_the_sale_open_for_another_try(TerminalPaymentOutcome answer, ErrorCode expected)
    {
        var (sales, journal, _) = NewHost();
        var saleId = await OpenSaleAsync(sales);
        var first = Guid.NewGuid();
        _terminal.Outcome(answer);

        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, saleId, first, "cb", default));

        Assert.Equal(expected, error.Code);
        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, saleId, default)).State);
        Assert.Equal(PaymentState.Refused, (await journal.GetAsync(Pos, first, default))!.State);
        Assert.Empty(_tickets.Committed);

        _terminal.Accept();
        var second = await sales.PayAsync(PosId, saleId, Guid.NewGuid(), "cb", default);
        Assert.Equal(SaleState.Committed, second.Sale.State);
        Assert.Equal(2, _terminal.Requests.Count);
    }

    [Fact]
    public async Task A_terminal_that_never_got_the_request_is_a_refusal_nothing_taken()
    {
        var (sales, journal, _) = NewHost();
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();
        _terminal.Fail(new TerminalException("Terminal Tetra 1 is busy") { RequestNotSent = true });

        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, saleId, requestId, "cb", default));

        Assert.Equal(ErrorCode.ReaderUnavailable, error.Code);
        Assert.Contains("busy", error.Message, StringComparison.Ordinal);
        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, saleId, default)).State);
        Assert.Equal(PaymentState.Refused, (await journal.GetAsync(Pos, requestId, default))!.State);
    }

    [Fact]
    public async Task A_lost_answer_is_unknown_never_asked_again_not_even_by_the_izly_recovery_and_an_operator_settles_it_from_the_receipt()
    {
        var (sales, journal, terminals) = NewHost();
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();
        _terminal.Fail(new TerminalException("The terminal sent no answer within 123 s."));

        var lost = await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, saleId, requestId, "cb", default));
        Assert.Equal(ErrorCode.PaymentOutcomeUnknown, lost.Code);
        Assert.Contains("receipt", lost.Message, StringComparison.Ordinal);

        // The till retries, the recovery passes run long after Izly's settle delay: still Unknown, the terminal asked once.
        Assert.Equal(ErrorCode.PaymentOutcomeUnknown, (await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, saleId, requestId, "cb", default))).Code);
        _time.Advance(TimeSpan.FromMinutes(10));
        await sales.CompleteUnfinishedAsync(default);
        await sales.CompleteUnfinishedAsync(default);
        Assert.Equal(PaymentState.Unknown, (await journal.GetAsync(Pos, requestId, default))!.State);
        Assert.Equal(SaleState.Paying, (await sales.GetAsync(PosId, saleId, default)).State);
        Assert.Single(_terminal.Requests);

        // The receipt says accepted: the operator's decision is recorded and the sale gets its CB ticket.
        var unknown = (await journal.GetAsync(Pos, requestId, default))!;
        await Assert.ThrowsAsync<MiddlewareException>(() => terminals.ResolveAsync(unknown, "maybe", null, "till A", default));
        var resolved = await terminals.ResolveAsync(unknown, "accepted", "AUTO 111111", "till A on 5-1-9-8-14", default);
        Assert.Equal((PaymentState.Approved, "till A on 5-1-9-8-14", "AUTO 111111"), (resolved.State, resolved.ResolvedBy, resolved.TerminalReport));
        var refreshed = await sales.RefreshAsync(PosId, saleId, default);
        Assert.Equal(SaleState.Committed, refreshed.State);
        Assert.Equal(CodeReglement.Cb, Assert.Single(_tickets.Committed.Values).Sale.Payment.CodeReglement);
        // Settled the same way again: as it is; the other way: refused.
        Assert.Equal(PaymentState.Approved, (await terminals.ResolveAsync(resolved, "accepted", null, "till B", default)).State);
        Assert.Equal(ErrorCode.SaleStateInvalid, (await Assert.ThrowsAsync<MiddlewareException>(() => terminals.ResolveAsync(resolved, "refused", null, "till B", default))).Code);
        Assert.Single(_terminal.Requests);
    }

    [Fact]
    public async Task Payment_resolve_with_the_refusal_read_on_the_receipt_answers_the_payment_and_opens_the_sale_again()
    {
        var (sales, journal, terminals) = NewHost();
        var methods = new SaleMethods(sales, new PaymentProcessor(journal, new FakeIzly(_time), _time, Options.Create(new PaymentOptions()), NullLogger<PaymentProcessor>.Instance), journal, terminals);
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();
        _terminal.Fail(new IOException("The link to Tetra 1 broke"));
        await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, saleId, requestId, "cb", default));
        TillContext.Current = new TillContext(PosId, "caisse-2", "c7", "uid 1001 (caisse)");
        Assert.Equal(ErrorCode.OperatorOnly, (await Assert.ThrowsAsync<MiddlewareException>(() => methods.ResolveAsync(requestId, "accepted", null, default))).Code);
        TillContext.Current = new TillContext(PosId, "caisse-2", "c7", "uid 1002 (chef)", IsOperator: true);

        var asIs = await methods.ResolveAsync(requestId, cancellationToken: default);
        Assert.Equal(("Unknown", "terminal", "Tetra 1"), (asIs.State, asIs.Channel, asIs.Terminal));
        await Assert.ThrowsAsync<MiddlewareException>(() => methods.ResolveAsync(requestId, "perhaps", null, default));
        var refused = await methods.ResolveAsync(requestId, "refused", "REFUS 05", default);

        Assert.Equal(("Refused", "REFUS 05"), (refused.State, refused.TerminalReport));
        Assert.Equal("uid 1002 (chef) via caisse-2 on 5-1-9-8-14 (c7)", refused.ResolvedBy);
        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, saleId, default)).State);
        Assert.Empty(_tickets.Committed);
        Assert.Single(_terminal.Requests);
    }

    [Fact]
    public async Task A_till_that_gives_up_during_the_pin_does_not_lose_the_answer_and_its_retry_joins_the_same_exchange()
    {
        var (sales, journal, _) = NewHost();
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();
        using var tillGivesUp = new CancellationTokenSource();

        var first = sales.PayAsync(PosId, saleId, requestId, "cb", tillGivesUp.Token);
        await WaitForRequestAsync(1);
        await tillGivesUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var retry = sales.PayAsync(PosId, saleId, requestId, "cb", default);
        _terminal.Accept();

        Assert.Equal(SaleState.Committed, (await retry).Sale.State);
        Assert.Single(_terminal.Requests);
        Assert.Equal(PaymentState.Approved, (await journal.GetAsync(Pos, requestId, default))!.State);
    }

    [Fact]
    public async Task After_the_host_died_waiting_for_the_terminal_the_payment_is_unknown_and_the_new_host_never_asks_the_terminal()
    {
        var (sales, journal, _) = NewHost();
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();
        _ = sales.PayAsync(PosId, saleId, requestId, "cb", default); // the terminal never answers this host
        await WaitForRequestAsync(1);

        var restarted = new ScriptedTerminal();
        var (after, journalAfter, _) = NewHost(restarted);
        await after.CompleteUnfinishedAsync(default);

        var record = (await journalAfter.GetAsync(Pos, requestId, default))!;
        Assert.Equal(PaymentState.Unknown, record.State);
        Assert.Contains("host stopped", record.ErrorDetail, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.PaymentOutcomeUnknown, (await Assert.ThrowsAsync<MiddlewareException>(() => after.PayAsync(PosId, saleId, requestId, "cb", default))).Code);
        Assert.Equal(ErrorCode.SaleStateInvalid, (await Assert.ThrowsAsync<MiddlewareException>(() => after.PayAsync(PosId, saleId, Guid.NewGuid(), "cb", default))).Code);
        Assert.Empty(restarted.Requests);
    }

    [Fact]
    public async Task A_sale_left_paying_without_an_intent_is_open_again_after_a_minute_without_asking_the_terminal()
    {
        var (sales, journal, _) = NewHost();
        var store = new SaleStore(Path.Combine(_dir, "sales.db"), _time);
        var saleId = await OpenSaleAsync(sales);
        var open = (await store.GetAsync(saleId, default))!;
        var requestId = Guid.NewGuid();
        // As a crash between the move to Paying and the intent leaves it.
        await store.TryUpdateAsync(open with { State = SaleState.Paying, PaymentMethod = "cb", Terminal = Terminal, PaymentRequestId = requestId.ToString("D"), Pricing = new PricingResult { Lines = [new PricedLine { CodeArticle = 1001, Label = "Repas", Quantity = 1, UnitPriceTtc = 3.30m, CodeTva = 2, VatRate = 10m }] }, UpdatedAt = _time.GetUtcNow() }, SaleState.Open, default);

        await sales.CompleteUnfinishedAsync(default);
        Assert.Equal(SaleState.Paying, (await sales.GetAsync(PosId, saleId, default)).State);
        _time.Advance(TimeSpan.FromMinutes(2));
        await sales.CompleteUnfinishedAsync(default);

        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, saleId, default)).State);
        // The request id is claimed as never asked: the till's retry of that sale.pay cannot ask the terminal any more.
        var claimed = await journal.GetAsync(Pos, requestId, default);
        Assert.Equal((PaymentState.Refused, (int)ErrorCode.ReaderUnavailable), (claimed!.State, claimed.ErrorCode));
        Assert.Equal(ErrorCode.ReaderUnavailable, (await Assert.ThrowsAsync<MiddlewareException>(() => sales.PayAsync(PosId, saleId, requestId, "cb", default))).Code);
        Assert.Empty(_terminal.Requests);
    }

    [Fact]
    public async Task A_same_day_refund_goes_through_the_terminal_as_a_credit_a_lost_one_is_settled_by_hand_and_the_next_day_is_refused()
    {
        var (sales, journal, terminals) = NewHost();
        var paid = new List<PaymentRecord>();
        for (var i = 0; i < 3; i++)
        {
            var saleId = await OpenSaleAsync(sales);
            _terminal.Accept();
            paid.Add((await sales.PayAsync(PosId, saleId, Guid.NewGuid(), "cb", default)).Payment!);
        }

        _terminal.Accept();
        var refunded = await terminals.RefundAsync(paid[0], default);
        Assert.Equal(PaymentState.Cancelled, refunded.State);
        var credit = _terminal.Requests.Last();
        Assert.Equal(("refund", Terminal, 3.30m), (credit.Kind, credit.Request.TerminalName, credit.Request.Amount));
        Assert.Equal(PaymentState.Cancelled, (await terminals.RefundAsync(refunded, default)).State); // idempotent, not asked again

        _terminal.Outcome(TerminalPaymentOutcome.Refused);
        Assert.Equal(ErrorCode.PaymentNotCancellable, (await Assert.ThrowsAsync<MiddlewareException>(() => terminals.RefundAsync(paid[1], default))).Code);
        Assert.Equal(PaymentState.Approved, (await journal.GetAsync(Pos, Guid.Parse(paid[1].RequestId), default))!.State);

        _terminal.Fail(new TerminalException("The terminal sent no answer within 123 s."));
        Assert.Equal(ErrorCode.PaymentOutcomeUnknown, (await Assert.ThrowsAsync<MiddlewareException>(() => terminals.RefundAsync(paid[2], default))).Code);
        var pending = (await journal.GetAsync(Pos, Guid.Parse(paid[2].RequestId), default))!;
        Assert.NotNull(pending.RefundRequestedAt);
        var asked = _terminal.Requests.Count;
        Assert.Equal(ErrorCode.PaymentOutcomeUnknown, (await Assert.ThrowsAsync<MiddlewareException>(() => terminals.RefundAsync(pending, default))).Code);
        Assert.Equal(asked, _terminal.Requests.Count);
        var settled = await terminals.ResolveAsync(pending, "refunded", null, "till A", default);
        Assert.Equal((PaymentState.Cancelled, "till A"), (settled.State, settled.ResolvedBy));

        _time.Advance(TimeSpan.FromDays(1));
        var nextDay = (await journal.GetAsync(Pos, Guid.Parse(paid[1].RequestId), default))!;
        Assert.Equal(ErrorCode.PaymentNotCancellable, (await Assert.ThrowsAsync<MiddlewareException>(() => terminals.RefundAsync(nextDay, default))).Code);
        Assert.Equal(asked, _terminal.Requests.Count);
    }

    [Fact]
    public async Task A_point_of_sale_without_a_terminal_keeps_the_declared_cb_payment()
    {
        var (sales, journal, _) = NewHost(terminalName: null);
        var saleId = await OpenSaleAsync(sales);
        var requestId = Guid.NewGuid();

        var outcome = await sales.PayAsync(PosId, saleId, requestId, "cb", default);

        Assert.Equal(SaleState.Committed, outcome.Sale.State);
        Assert.Null(outcome.Payment);
        Assert.Null(await journal.GetAsync(Pos, requestId, default));
        Assert.Empty(_terminal.Requests);
        Assert.Equal(CodeReglement.Cb, Assert.Single(_tickets.Committed.Values).Sale.Payment.CodeReglement);
    }

    private (SaleService Sales, PaymentJournal Journal, TerminalPayments Terminals) NewHost(ScriptedTerminal? terminal = null, string? terminalName = Terminal)
    {
        var host = SaleTestHost.Create(_dir, _time, new SalesOptions(), new PointOfSaleOptions { Id = Pos, Terminal = terminalName }, _tickets, readers: terminal ?? _terminal);
        return (host.Sales, host.Journal, host.Terminals);
    }

    private static async Task<string> OpenSaleAsync(SaleService sales)
    {
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        await sales.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), 1, default);
        return sale.Id;
    }

    private async Task<(string Kind, TerminalPaymentRequest Request)> WaitForRequestAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_terminal.Requests.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the terminal was not asked {count} time(s)");
            await Task.Delay(10);
        }

        return _terminal.Requests.Last();
    }
}
