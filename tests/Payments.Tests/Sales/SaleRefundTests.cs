using Microsoft.Extensions.Time.Testing;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Payments.Tests.Terminals;
using Middleware.Scripting.Globals;
using Middleware.Tickets.Refunds;

namespace Middleware.Payments.Tests.Sales;

/// <summary>payment.cancel through the sale: a refund ticket (RB) of its own, committed before the answer, once; on real
/// SQLite journal and sales files, a scripted terminal and the outbox's commit contract.</summary>
public sealed class SaleRefundTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private static readonly PointOfSaleId PosId = PointOfSaleId.Parse(Pos);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sale-refund-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
    private readonly RecordingTickets _tickets;
    private readonly ScriptedTerminal _terminal = new();

    public SaleRefundTests()
    {
        _tickets = new RecordingTickets { Time = _time };
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_declared_cb_refund_commits_its_refund_ticket_once_and_keeps_who_declared_it()
    {
        var host = NewHost(terminal: null);
        var (saleId, requestId) = await PaidSaleAsync(host.Sales);
        var saleTicket = Assert.Single(_tickets.Committed.Values).Receipt;

        var outcome = await host.Sales.RefundAsync(PosId, requestId, "till A", default);

        Assert.Null(outcome.Payment); // a declared payment has no journal record
        Assert.Equal(SaleState.Refunded, outcome.Sale!.State);
        Assert.Equal("till A", outcome.Sale.RefundDeclaredBy);
        var (receipt, refund) = _tickets.Committed[$"{Pos}|{RefundTicketSale.RequestIdFor(requestId.ToString("D"))}"];
        Assert.Equal(receipt, outcome.RefundTicket);
        Assert.Equal(receipt, outcome.Sale.RefundTicket);
        Assert.NotEqual(saleTicket.IdTicketEntete, receipt.IdTicketEntete);
        Assert.Equal((saleTicket.IdTicketEntete, saleTicket.NumeroTicket), (refund.Refund!.IdTicketEntete, refund.Refund.NumeroTicket));
        Assert.Equal(CodeReglement.Cb, refund.Payment.CodeReglement);
        Assert.Equal([(1001, -1, 3.30m)], refund.Lines.Select(l => (l.CodeArticle, l.Quantity, l.UnitPriceTtc)));

        // The till's retry, or a second cashier: the same refund ticket, not another one.
        var again = await host.Sales.RefundAsync(PosId, requestId, "till B", default);
        Assert.Equal(receipt.IdTicketEntete, again.RefundTicket!.IdTicketEntete);
        Assert.Equal(2, _tickets.Committed.Count);
        Assert.Equal("till A", (await host.Sales.GetAsync(PosId, saleId, default)).RefundDeclaredBy);
    }

    [Fact]
    public async Task A_declared_cb_refund_the_next_day_is_refused_and_the_sale_stays_committed()
    {
        var host = NewHost(terminal: null);
        var (saleId, requestId) = await PaidSaleAsync(host.Sales);
        _time.Advance(TimeSpan.FromDays(1));

        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => host.Sales.RefundAsync(PosId, requestId, "till A", default));

        Assert.Equal(ErrorCode.PaymentNotCancellable, ex.Code);
        Assert.Equal(SaleState.Committed, (await host.Sales.GetAsync(PosId, saleId, default)).State);
        Assert.Single(_tickets.Committed);
    }

    [Fact]
    public async Task An_unknown_payment_is_not_found()
    {
        var host = NewHost(terminal: null);
        await PaidSaleAsync(host.Sales);
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => host.Sales.RefundAsync(PosId, Guid.NewGuid(), "till A", default));
        Assert.Equal(ErrorCode.PaymentNotFound, ex.Code);
    }

    [Fact]
    public async Task A_terminal_refund_accepted_commits_the_refund_ticket_a_refused_one_leaves_the_sale_committed()
    {
        var host = NewHost(_terminal);
        _terminal.Accept();
        var (refundedSale, refundedPayment) = await PaidSaleAsync(host.Sales);
        _terminal.Accept();
        var (keptSale, keptPayment) = await PaidSaleAsync(host.Sales);

        _terminal.Accept();
        var refunded = await host.Sales.RefundAsync(PosId, refundedPayment, "till A", default);
        Assert.Equal((PaymentState.Cancelled, SaleState.Refunded), (refunded.Payment!.State, refunded.Sale!.State));
        Assert.Null(refunded.Sale.RefundDeclaredBy);
        Assert.Equal(("refund", 3.30m), (_terminal.Requests.Last().Kind, _terminal.Requests.Last().Request.Amount));
        Assert.NotNull(refunded.RefundTicket);
        Assert.Equal(3, _tickets.Committed.Count);

        _terminal.Outcome(TerminalPaymentOutcome.Refused);
        var refused = await Assert.ThrowsAsync<MiddlewareException>(() => host.Sales.RefundAsync(PosId, keptPayment, "till A", default));
        Assert.Equal(ErrorCode.PaymentNotCancellable, refused.Code);
        Assert.Equal(SaleState.Committed, (await host.Sales.GetAsync(PosId, keptSale, default)).State);
        Assert.Equal(SaleState.Refunded, (await host.Sales.GetAsync(PosId, refundedSale, default)).State);
        Assert.Equal(3, _tickets.Committed.Count);
    }

    [Fact]
    public async Task A_lost_terminal_refund_waits_refunding_until_an_operator_settles_it_then_its_ticket_is_committed()
    {
        var host = NewHost(_terminal);
        _terminal.Accept();
        var (saleId, requestId) = await PaidSaleAsync(host.Sales);
        _terminal.Fail(new TerminalException("The terminal sent no answer within 123 s."));

        var lost = await Assert.ThrowsAsync<MiddlewareException>(() => host.Sales.RefundAsync(PosId, requestId, "till A", default));
        Assert.Equal(ErrorCode.PaymentOutcomeUnknown, lost.Code);
        Assert.Equal(SaleState.Refunding, (await host.Sales.GetAsync(PosId, saleId, default)).State);

        // The recovery pass, even much later, neither asks the terminal again nor guesses.
        _time.Advance(TimeSpan.FromMinutes(5));
        var asked = _terminal.Requests.Count;
        await host.Sales.CompleteUnfinishedAsync(default);
        Assert.Equal(SaleState.Refunding, (await host.Sales.GetAsync(PosId, saleId, default)).State);
        Assert.Equal(asked, _terminal.Requests.Count);
        Assert.Single(_tickets.Committed);

        var record = (await host.Journal.GetAsync(Pos, requestId, default))!;
        var settled = await host.Terminals.ResolveAsync(record, "refunded", null, "supervisor", default);
        var sale = await host.Sales.SettleRefundAfterResolveAsync(settled, default);
        Assert.Equal(SaleState.Refunded, sale!.State);
        Assert.Equal(2, _tickets.Committed.Count);
        Assert.Equal(sale.RefundTicket, _tickets.Committed[$"{Pos}|{RefundTicketSale.RequestIdFor(requestId.ToString("D"))}"].Receipt);
    }

    [Fact]
    public async Task An_operator_reading_not_refunded_puts_the_sale_back_to_committed_without_a_ticket()
    {
        var host = NewHost(_terminal);
        _terminal.Accept();
        var (saleId, requestId) = await PaidSaleAsync(host.Sales);
        _terminal.Fail(new TerminalException("link lost"));
        await Assert.ThrowsAsync<MiddlewareException>(() => host.Sales.RefundAsync(PosId, requestId, "till A", default));

        var record = (await host.Journal.GetAsync(Pos, requestId, default))!;
        var settled = await host.Terminals.ResolveAsync(record, "notRefunded", null, "supervisor", default);
        var sale = await host.Sales.SettleRefundAfterResolveAsync(settled, default);

        Assert.Equal(SaleState.Committed, sale!.State);
        Assert.Equal(SaleState.Committed, (await host.Sales.GetAsync(PosId, saleId, default)).State);
        Assert.Single(_tickets.Committed);
    }

    [Fact]
    public async Task A_refund_made_whose_ticket_failed_is_finished_by_the_recovery_pass_after_a_restart()
    {
        var host = NewHost(_terminal);
        _terminal.Accept();
        var (saleId, requestId) = await PaidSaleAsync(host.Sales);
        _tickets.Failure = sale => sale.Refund is null ? null : new MiddlewareException(ErrorCode.InternalError, "The ticket could not be stored; retry with the same requestId.");

        _terminal.Accept();
        var failed = await Assert.ThrowsAsync<MiddlewareException>(() => host.Sales.RefundAsync(PosId, requestId, "till A", default));
        Assert.Equal(ErrorCode.InternalError, failed.Code);
        // The money is given back and the sale says its ticket is owed: both on disk.
        Assert.Equal(PaymentState.Cancelled, (await host.Journal.GetAsync(Pos, requestId, default))!.State);
        var owed = await host.Sales.GetAsync(PosId, saleId, default);
        Assert.Equal((SaleState.Refunding, (int)ErrorCode.InternalError), (owed.State, owed.LastErrorCode));

        // A new host on the same files: its recovery pass commits the refund ticket, without asking the terminal again.
        _tickets.Failure = null;
        var asked = _terminal.Requests.Count;
        var restarted = NewHost(_terminal);
        Assert.Equal(1, await restarted.Sales.CompleteUnfinishedAsync(default));
        var sale = await restarted.Sales.GetAsync(PosId, saleId, default);
        Assert.Equal(SaleState.Refunded, sale.State);
        Assert.Null(sale.LastError);
        Assert.Equal(asked, _terminal.Requests.Count);
        Assert.Equal(2, _tickets.Committed.Count);
        Assert.Equal(0, await restarted.Sales.CompleteUnfinishedAsync(default));
    }

    [Fact]
    public async Task A_sale_left_refunding_by_a_crash_before_the_refund_was_asked_is_committed_again_after_a_minute()
    {
        var host = NewHost(_terminal);
        _terminal.Accept();
        var (saleId, requestId) = await PaidSaleAsync(host.Sales);
        // The crash between the two writes, made by hand: the sale says Refunding, the journal knows no refund.
        var store = new SaleStore(Path.Combine(_dir, "sales.db"), _time);
        var sale = (await store.GetAsync(saleId, default))!;
        Assert.NotNull(await store.TryUpdateAsync(sale with { State = SaleState.Refunding, UpdatedAt = _time.GetUtcNow() }, SaleState.Committed, default));

        await host.Sales.CompleteUnfinishedAsync(default);
        Assert.Equal(SaleState.Refunding, (await host.Sales.GetAsync(PosId, saleId, default)).State); // a payment.cancel may be between its writes

        _time.Advance(TimeSpan.FromMinutes(2));
        await host.Sales.CompleteUnfinishedAsync(default);
        Assert.Equal(SaleState.Committed, (await host.Sales.GetAsync(PosId, saleId, default)).State);
        Assert.Single(_tickets.Committed);
        Assert.Equal(PaymentState.Approved, (await host.Journal.GetAsync(Pos, requestId, default))!.State);
    }

    private SaleTestHost NewHost(ScriptedTerminal? terminal) =>
        SaleTestHost.Create(_dir, _time, new SalesOptions(), new PointOfSaleOptions { Id = Pos, Terminal = terminal is null ? null : "Tetra 1" }, _tickets, readers: terminal ?? _terminal);

    private static async Task<(string SaleId, Guid RequestId)> PaidSaleAsync(SaleService sales)
    {
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        await sales.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), 1, default);
        var requestId = Guid.NewGuid();
        var paid = await sales.PayAsync(PosId, sale.Id, requestId, "cb", default);
        Assert.Equal(SaleState.Committed, paid.Sale.State);
        return (sale.Id, requestId);
    }
}
