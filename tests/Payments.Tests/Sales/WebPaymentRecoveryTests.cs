using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Payments.Journal;
using Middleware.Payments.Rpc;
using Middleware.Payments.Sales;
using Middleware.Payments.Terminals;
using Middleware.Payments.Tests.Journal;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Tests.Sales;

/// <summary>
/// IzlyPay web payments left open: the background pass and payment.resolve must ask the web-payment verification call,
/// never Izly's debit search by order id (which does not know web payments), keep the payment pending until
/// Sales:WebPaymentTimeout, and commit the ticket exactly once when the customer confirms, however late.
/// </summary>
public sealed class WebPaymentRecoveryTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private static readonly PointOfSaleId PosId = PointOfSaleId.Parse(Pos);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "webpay-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
    private readonly FakeIzly _izly;
    private readonly RecordingTickets _tickets = new();
    private readonly PaymentOptions _paymentOptions = new(); // SettleDelay 2 min (default)
    private readonly SalesOptions _salesOptions = new(); // WebPaymentTimeout 15 min (default)

    public WebPaymentRecoveryTests()
    {
        _izly = new FakeIzly(_time);
        _paymentOptions.DatabasePath = Path.Combine(_dir, "payments.db");
        _salesOptions.DatabasePath = Path.Combine(_dir, "sales.db");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    // One host's worth of sale services on the test's SQLite files; calling it again is a restart.
    private (SaleService Sales, PaymentProcessor Payments, PaymentJournal Journal) NewHost()
    {
        var journal = new PaymentJournal(_paymentOptions.DatabasePath, _time);
        var processor = new PaymentProcessor(journal, _izly, _time, Options.Create(_paymentOptions), NullLogger<PaymentProcessor>.Instance);
        var pointsOfSale = new FixedMonitor<List<PointOfSaleOptions>>([new PointOfSaleOptions { Id = Pos }]);
        var sales = new SaleService(new SaleStore(_salesOptions.DatabasePath!, _time), processor, journal, _tickets, new FixedPricer(),
            new SinglePluginCatalog(new GatewayWebPaymentPlugin(_izly)), new RecentTaps(), Options.Create(_salesOptions), pointsOfSale,
            _time, NullLogger<SaleService>.Instance);
        return (sales, processor, journal);
    }

    private static async Task<(Sale Sale, Guid PaymentId)> StartWebPaymentAsync(SaleService sales)
    {
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        await sales.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), 1, default);
        var paymentId = Guid.NewGuid();
        var (started, url) = await sales.StartWebPaymentAsync(PosId, sale.Id, paymentId, null, default);
        Assert.Equal(SaleState.Paying, started.State);
        Assert.EndsWith(started.WebOperationId!, url.ToString(), StringComparison.Ordinal);
        return (started, paymentId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task A_basket_with_a_distribution_other_than_on_site_or_take_away_is_refused_naming_the_parameter(int distribution)
    {
        var (sales, _, _) = NewHost();
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);

        var error = await Assert.ThrowsAsync<MiddlewareException>(() => sales.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), distribution, default));

        Assert.Equal(ErrorCode.InvalidRequest, error.Code);
        Assert.StartsWith("distribution ", error.Message, StringComparison.Ordinal);
        Assert.True((await sales.GetAsync(PosId, sale.Id, default)).Basket.IsEmpty);
    }

    [Fact]
    public async Task A_web_payment_that_could_not_be_started_is_refused_at_once_and_the_sale_is_open_again()
    {
        var (sales, _, journal) = NewHost();
        var sale = await sales.OpenAsync(PosId, Guid.NewGuid(), default);
        await sales.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), 1, default);
        _izly.WebStartUnavailable = true;
        var paymentId = Guid.NewGuid();

        await Assert.ThrowsAsync<MiddlewareException>(() => sales.StartWebPaymentAsync(PosId, sale.Id, paymentId, null, default));

        var after = await sales.GetAsync(PosId, sale.Id, default);
        Assert.Equal((SaleState.Open, null, null), (after.State, after.PaymentRequestId, after.PaymentMethod));
        Assert.Equal(PaymentState.Refused, (await journal.GetAsync(Pos, paymentId, default))!.State);
        Assert.Empty(_tickets.Committed);
    }

    [Fact]
    public async Task A_web_payment_whose_start_died_with_the_host_is_given_up_by_the_next_host_without_waiting_for_the_timeout()
    {
        var (first, _, _) = NewHost();
        var sale = await first.OpenAsync(PosId, Guid.NewGuid(), default);
        await first.SetBasketAsync(PosId, sale.Id, Basket.Of(new BasketLine { CodeArticle = 1001 }), 1, default);
        _izly.WebStartHangs = true;
        var paymentId = Guid.NewGuid();
        // The start reaches Izly and never comes back: the host dies there (its call is abandoned, never awaited).
        _ = first.StartWebPaymentAsync(PosId, sale.Id, paymentId, null, default);
        await _izly.WebStartCalled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await first.CompleteUnfinishedAsync(default)); // the running start is not cut short

        _time.Advance(TimeSpan.FromMinutes(1)); // well before WebPaymentTimeout (15 min)
        var (next, _, journal) = NewHost();
        await next.CompleteUnfinishedAsync(default);

        var after = await next.GetAsync(PosId, sale.Id, default);
        Assert.Equal(SaleState.Open, after.State);
        Assert.Equal(PaymentState.Refused, (await journal.GetAsync(Pos, paymentId, default))!.State);
        Assert.Empty(_tickets.Committed);

        // The till, whose call died with the first host, retries izlypay.start with the same requestId: the payment was
        // given up, so no page is handed out (a customer paying it would pay a sale that no longer waits for it).
        _izly.WebStartHangs = false;
        var retry = await Assert.ThrowsAsync<MiddlewareException>(() => next.StartWebPaymentAsync(PosId, sale.Id, paymentId, null, default));
        Assert.Equal(ErrorCode.PaymentRefused, retry.Code);
        Assert.Empty(_izly.WebPayments);
        Assert.Equal(SaleState.Open, (await next.GetAsync(PosId, sale.Id, default)).State);
    }

    [Fact]
    public async Task A_web_payment_past_SettleDelay_but_before_the_timeout_stays_pending_and_is_never_searched_as_a_debit()
    {
        var (sales, _, journal) = NewHost();
        var (sale, paymentId) = await StartWebPaymentAsync(sales);

        // The customer is still on Izly's page 3 and then 14 minutes later: well past SettleDelay (2 min).
        foreach (var minutes in new[] { 3, 11 })
        {
            _time.Advance(TimeSpan.FromMinutes(minutes));
            Assert.Equal(0, await sales.CompleteUnfinishedAsync(default));
        }

        var payment = await journal.GetAsync(Pos, paymentId, default);
        Assert.NotNull(payment);
        Assert.False(payment.IsFinal);
        Assert.Equal(PaymentState.Pending, payment.State);
        var after = await sales.GetAsync(PosId, sale.Id, default);
        Assert.Equal(SaleState.Paying, after.State);
        Assert.Equal(sale.WebOperationId, after.WebOperationId);
        Assert.Equal(0, _izly.StatusCalls); // never the card/QR debit search
        Assert.Equal(2, _izly.WebStatusCalls); // one verification per pass
        Assert.Empty(_tickets.Committed);
    }

    [Fact]
    public async Task A_web_payment_confirmed_late_and_found_after_a_restart_settles_the_sale_and_commits_one_ticket()
    {
        var (sales, _, _) = NewHost();
        var (sale, paymentId) = await StartWebPaymentAsync(sales);
        _time.Advance(TimeSpan.FromMinutes(5));
        await sales.CompleteUnfinishedAsync(default); // the pass that used to refuse it

        // The customer confirms 9 minutes after the start, while the middleware is down; it starts again afterwards.
        _time.Advance(TimeSpan.FromMinutes(4));
        _izly.ConfirmWebPayment(sale.WebOperationId!, "4242");
        var (restarted, _, journal) = NewHost();
        Assert.Equal(1, await restarted.CompleteUnfinishedAsync(default));
        Assert.Equal(0, await restarted.CompleteUnfinishedAsync(default)); // nothing left to do: no second ticket

        var payment = await journal.GetAsync(Pos, paymentId, default);
        Assert.Equal(PaymentState.Approved, payment!.State);
        Assert.Equal(sale.WebOperationId, payment.IdTransactionIzly);
        Assert.Null(payment.BalanceAfter);
        var committed = await restarted.RefreshAsync(PosId, sale.Id, default);
        Assert.Equal(SaleState.Committed, committed.State);
        Assert.NotNull(committed.Ticket);
        var ticket = Assert.Single(_tickets.Committed).Value;
        Assert.Equal(committed.Ticket.IdTicketEntete, ticket.Receipt.IdTicketEntete);
        Assert.Equal(sale.WebOperationId, ticket.Sale.Payment.IdTransactionIzly);
        Assert.Equal("4242", ticket.Sale.Customer?.CodeClient);
        Assert.True(ticket.Sale.OnlineOrder);
        Assert.Equal(0, _izly.StatusCalls);
    }

    [Fact]
    public async Task A_web_payment_still_unpaid_past_the_timeout_is_given_up_and_the_sale_is_open_again()
    {
        var (sales, _, journal) = NewHost();
        var (sale, paymentId) = await StartWebPaymentAsync(sales);

        _time.Advance(_salesOptions.WebPaymentTimeout - TimeSpan.FromSeconds(1));
        await sales.CompleteUnfinishedAsync(default);
        Assert.Equal(PaymentState.Pending, (await journal.GetAsync(Pos, paymentId, default))!.State);

        _time.Advance(TimeSpan.FromSeconds(2));
        await sales.CompleteUnfinishedAsync(default);

        var payment = await journal.GetAsync(Pos, paymentId, default);
        Assert.Equal(PaymentState.Refused, payment!.State);
        Assert.Equal((int)ErrorCode.PaymentRefused, payment.ErrorCode);
        Assert.Contains("in time", payment.ErrorDetail, StringComparison.Ordinal);
        var reopened = await sales.GetAsync(PosId, sale.Id, default);
        Assert.Equal(SaleState.Open, reopened.State);
        Assert.Null(reopened.PaymentRequestId);
        Assert.Null(reopened.WebOperationId);
        Assert.Empty(_tickets.Committed);
        Assert.Equal(2, _izly.WebStatusCalls); // given up only after the verification said "still waiting"
        Assert.Equal(0, _izly.StatusCalls);
    }

    [Fact]
    public async Task A_web_payment_past_the_timeout_is_not_given_up_while_the_verification_cannot_be_asked()
    {
        var (sales, _, journal) = NewHost();
        var (sale, paymentId) = await StartWebPaymentAsync(sales);
        _izly.WebStatusUnavailable = true;

        _time.Advance(_salesOptions.WebPaymentTimeout + TimeSpan.FromMinutes(1));
        await sales.CompleteUnfinishedAsync(default);
        Assert.Equal(PaymentState.Pending, (await journal.GetAsync(Pos, paymentId, default))!.State);

        // Izly answers again: the customer had paid, so the sale is committed rather than given up.
        _izly.WebStatusUnavailable = false;
        _izly.ConfirmWebPayment(sale.WebOperationId!, "4242");
        Assert.Equal(1, await sales.CompleteUnfinishedAsync(default));
        Assert.Equal(PaymentState.Approved, (await journal.GetAsync(Pos, paymentId, default))!.State);
        Assert.Single(_tickets.Committed);
    }

    [Fact]
    public async Task Payment_resolve_of_a_web_payment_asks_the_verification_call_and_commits_when_paid()
    {
        var (sales, processor, journal) = NewHost();
        var methods = new SaleMethods(sales, processor, journal, NoTerminals(journal));
        var (sale, paymentId) = await StartWebPaymentAsync(sales);
        TillContext.Current = new TillContext(PosId, "test-till", "c1");

        _time.Advance(TimeSpan.FromMinutes(3)); // past SettleDelay: the debit search would have refused it
        var pending = await methods.ResolveAsync(paymentId, default);
        Assert.Equal("Pending", pending.State);
        Assert.Equal("izlypay", pending.Channel);
        Assert.Equal(1, _izly.WebStatusCalls);
        Assert.Equal(0, _izly.StatusCalls);

        _izly.ConfirmWebPayment(sale.WebOperationId!, "4242");
        var approved = await methods.ResolveAsync(paymentId, default);
        Assert.Equal("Approved", approved.State);
        Assert.Equal(sale.WebOperationId, approved.IdTransactionIzly);
        Assert.Equal(2, _izly.WebStatusCalls);
        Assert.Equal(0, _izly.StatusCalls);
        Assert.Equal(SaleState.Committed, (await sales.GetAsync(PosId, sale.Id, default)).State);
        Assert.Single(_tickets.Committed);

        // A final payment is answered as it is, without asking Izly again.
        Assert.Equal("Approved", (await methods.ResolveAsync(paymentId, default)).State);
        Assert.Equal(2, _izly.WebStatusCalls);
    }

    [Fact]
    public async Task Payment_cancel_of_an_approved_web_payment_is_refused_without_sending_its_operation_id_to_the_till_cancel_call()
    {
        var (sales, processor, journal) = NewHost();
        var methods = new SaleMethods(sales, processor, journal, NoTerminals(journal));
        var (sale, paymentId) = await StartWebPaymentAsync(sales);
        TillContext.Current = new TillContext(PosId, "test-till", "c1");
        _izly.ConfirmWebPayment(sale.WebOperationId!, "4242");
        Assert.Equal("Approved", (await methods.ResolveAsync(paymentId, default)).State);

        var error = await Assert.ThrowsAsync<MiddlewareException>(() => methods.CancelPaymentAsync(Guid.NewGuid(), paymentId, default));

        Assert.Equal(ErrorCode.PaymentNotCancellable, error.Code);
        Assert.Contains("IzlyPay", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _izly.CancelCalls);
        Assert.Equal(PaymentState.Approved, (await journal.GetAsync(Pos, paymentId, default))!.State);
        Assert.Equal(SaleState.Committed, (await sales.GetAsync(PosId, sale.Id, default)).State);
    }

    [Fact]
    public async Task Payment_resolve_of_a_web_payment_refused_at_Izly_answers_the_refusal_and_reopens_the_sale()
    {
        var (sales, processor, journal) = NewHost();
        var methods = new SaleMethods(sales, processor, journal, NoTerminals(journal));
        var (sale, paymentId) = await StartWebPaymentAsync(sales);
        TillContext.Current = new TillContext(PosId, "test-till", "c1");

        _time.Advance(_salesOptions.WebPaymentTimeout + TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<MiddlewareException>(() => methods.ResolveAsync(paymentId, default));
        Assert.Equal(ErrorCode.PaymentRefused, error.Code);
        Assert.Equal(SaleState.Open, (await sales.GetAsync(PosId, sale.Id, default)).State);
        Assert.Equal("Refused", (await methods.PaymentStatusAsync(paymentId, default)).State);
        Assert.Equal(1, _izly.WebStatusCalls);
        Assert.Equal(0, _izly.StatusCalls);
    }

    [Fact]
    public async Task The_processor_leaves_web_payments_to_the_verification_call()
    {
        var (sales, processor, journal) = NewHost();
        var (_, paymentId) = await StartWebPaymentAsync(sales);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, await processor.RecoverOpenAsync(default));
        var record = await journal.GetAsync(Pos, paymentId, default);
        Assert.Equal(PaymentState.Pending, (await processor.RecoverAsync(record!, default)).State);
        Assert.Equal(0, _izly.StatusCalls);
        Assert.Equal(0, _izly.WebStatusCalls);
    }

    private TerminalPayments NoTerminals(PaymentJournal journal) => new(journal, Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()),
        Options.Create(new PaymentOptions()), new FixedMonitor<List<PointOfSaleOptions>>([]), _time, NullLogger<TerminalPayments>.Instance);
}
