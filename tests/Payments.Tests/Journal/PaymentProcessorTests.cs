using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Payments.Journal;

namespace Middleware.Payments.Tests.Journal;

public sealed class PaymentProcessorTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "payments-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
    private readonly FakeIzly _izly;
    private readonly PaymentOptions _options = new();

    public PaymentProcessorTests()
    {
        _izly = new FakeIzly(_time);
        _options.DatabasePath = Path.Combine(_dir, "payments.db");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private PaymentProcessor NewProcessor() =>
        new(new PaymentJournal(_options.DatabasePath, _time), _izly, _time, Options.Create(_options), NullLogger<PaymentProcessor>.Instance);

    private static PaymentCommand Command(Guid requestId, decimal amount = 3.30m) =>
        new(Pos, requestId, "sale-1", amount, new QrMedium("AIZ;x"), null);

    [Fact]
    public async Task Approved_debit_is_recorded_and_a_repeat_returns_it_without_debiting_again()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();

        var first = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        var again = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        Assert.Equal(PaymentState.Approved, first.State);
        Assert.Equal(16.70m, first.BalanceAfter);
        Assert.Equal(first.IdTransactionIzly, again.IdTransactionIzly);
        Assert.Equal(PaymentState.Approved, again.State);
        Assert.Equal(1, _izly.DebitCalls);
        Assert.Equal(16.70m, _izly.Balance);
        Assert.Equal(PaymentJournal.ClientOrderIdFor(Pos, requestId), first.ClientOrderId);
    }

    [Fact]
    public async Task Refusal_is_final_with_its_stable_code()
    {
        _izly.Balance = 1m;
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();

        var refused = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        var again = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        Assert.Equal(PaymentState.Refused, refused.State);
        Assert.Equal((int)ErrorCode.InsufficientBalance, refused.ErrorCode);
        Assert.Equal(PaymentState.Refused, again.State);
        Assert.Equal(1, _izly.DebitCalls);
    }

    [Fact]
    public async Task A_refusal_wrapped_in_the_tills_error_by_the_channel_call_is_final_keeps_the_balance_and_asks_izly_nothing()
    {
        // The sale's channel call turns Izly's refusal into the till's error (the refusal as inner exception): it is
        // still a refusal, not a lost answer that would leave the payment unknown for minutes.
        _izly.Balance = 1.20m;
        var processor = NewProcessor();

        var refused = await processor.DebitAsync(Command(Guid.NewGuid()), async (request, ct) =>
        {
            try
            {
                return await _izly.DebitAsync(request, ct);
            }
            catch (IzlyRefusedException ex)
            {
                throw IzlyErrors.ToException(ex);
            }
        }, default);

        Assert.Equal(PaymentState.Refused, refused.State);
        Assert.Equal((int)ErrorCode.InsufficientBalance, refused.ErrorCode);
        Assert.Equal(1.20m, refused.BalanceAfter);
        Assert.Equal(0, _izly.StatusCalls);
        Assert.Equal(1.20m, _izly.Balance);
    }

    [Fact]
    public async Task Answer_dropped_after_commit_is_recovered_by_status_and_debited_once()
    {
        _izly.DropAnswerAfterCommit = true;
        var processor = NewProcessor();

        var record = await processor.DebitAsync(Command(Guid.NewGuid()), _izly.DebitAsync, default);

        Assert.Equal(PaymentState.Approved, record.State);
        Assert.Equal(1, _izly.DebitCalls);
        Assert.Equal(1, _izly.StatusCalls);
        Assert.Single(_izly.Debits);
        Assert.Equal(16.70m, _izly.Balance);
    }

    // A debit that reached the channel and waits there until the test releases it.
    private async Task<(Task<PaymentRecord> Debit, TaskCompletionSource Release)> StartHeldDebitAsync(PaymentProcessor processor, Guid requestId)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var debit = processor.DebitAsync(Command(requestId), async (request, ct) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(ct);
            return await _izly.DebitAsync(request, ct);
        }, default);
        await entered.Task;
        return (debit, release);
    }

    [Fact]
    public async Task A_second_caller_during_the_debit_waits_for_its_answer_instead_of_asking_izly_mid_flight()
    {
        // The till's sale.pay and the background pass (or the till's retry on another connection) push the same
        // payment at once. Asked mid-flight, Izly does not know the order yet: the second caller used to mark the
        // payment Unknown and answer 1402 although the debit was about to be approved.
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        var (first, release) = await StartHeldDebitAsync(processor, requestId);

        var second = processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        var recovered = await processor.RecoverOpenAsync(default);
        var asked = await processor.RecoverAsync((await new PaymentJournal(_options.DatabasePath, _time).GetAsync(Pos, requestId, default))!, default);

        Assert.Equal(0, recovered);
        Assert.Equal(PaymentState.Pending, asked.State);
        Assert.Equal(0, _izly.StatusCalls);
        Assert.False(second.IsCompleted, "the second caller answered before the debit did");
        release.SetResult();

        var (one, two) = (await first, await second);
        Assert.Equal((PaymentState.Approved, PaymentState.Approved), (one.State, two.State));
        Assert.Equal(one.IdTransactionIzly, two.IdTransactionIzly);
        Assert.Equal((1, 0, 16.70m), (_izly.DebitCalls, _izly.StatusCalls, _izly.Balance)); // one debit, never asked about
    }

    [Fact]
    public async Task A_caller_that_gives_up_waiting_for_another_callers_debit_leaves_it_running()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        var (first, release) = await StartHeldDebitAsync(processor, requestId);

        using var gone = new CancellationTokenSource();
        var second = processor.DebitAsync(Command(requestId), _izly.DebitAsync, gone.Token);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        release.SetResult();
        Assert.Equal(PaymentState.Approved, (await first).State);
        var later = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        Assert.Equal((PaymentState.Approved, 1, 0), (later.State, _izly.DebitCalls, _izly.StatusCalls));
    }

    [Fact]
    public async Task Timeout_is_unknown_then_refused_only_after_the_settle_delay_proves_nothing_arrived()
    {
        _izly.Hang = true;
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();

        var pending = processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        await _izly.Called.Task;
        _time.Advance(_options.DebitTimeout + TimeSpan.FromSeconds(1));
        var unknown = await pending;

        Assert.Equal(PaymentState.Unknown, unknown.State);
        Assert.Equal((int)ErrorCode.PaymentOutcomeUnknown, unknown.ErrorCode);

        // A repeat by the till asks Izly; it never debits again.
        _izly.Hang = false;
        var repeat = await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        Assert.Equal(PaymentState.Unknown, repeat.State);
        Assert.Equal(1, _izly.DebitCalls);

        _time.Advance(_options.SettleDelay);
        Assert.Equal(1, await processor.RecoverOpenAsync(default));
        var settled = await new PaymentJournal(_options.DatabasePath, _time).GetAsync(Pos, requestId, default);
        Assert.Equal(PaymentState.Refused, settled!.State);
        Assert.Empty(_izly.Debits);
    }

    [Fact]
    public async Task Crash_after_the_call_is_settled_from_izly_at_restart_without_a_second_debit()
    {
        var requestId = Guid.NewGuid();
        var journal = new PaymentJournal(_options.DatabasePath, _time);
        var (record, _) = await journal.RecordIntentAsync(Pos, requestId, "sale-1", "qr", 3.30m, null, default);
        await journal.MarkAttemptAsync(record.ClientOrderId, default);
        // Izly committed the debit; the host died before it heard the answer.
        await _izly.DebitAsync(new DebitRequest(Pos, record.ClientOrderId, 3.30m, new QrMedium("AIZ;x")), default);

        var restarted = NewProcessor();
        Assert.Equal(1, await restarted.RecoverOpenAsync(default));
        var repeat = await restarted.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        Assert.Equal(PaymentState.Approved, repeat.State);
        Assert.Equal(1, _izly.DebitCalls);
        Assert.Equal(16.70m, repeat.BalanceAfter);
    }

    [Fact]
    public async Task Crash_before_the_call_lets_the_same_request_debit_once()
    {
        var requestId = Guid.NewGuid();
        var journal = new PaymentJournal(_options.DatabasePath, _time);
        await journal.RecordIntentAsync(Pos, requestId, "sale-1", "qr", 3.30m, null, default);

        var record = await NewProcessor().DebitAsync(Command(requestId), _izly.DebitAsync, default);

        Assert.Equal(PaymentState.Approved, record.State);
        Assert.Equal(1, _izly.DebitCalls);
    }

    [Fact]
    public async Task Status_query_failing_keeps_the_payment_unknown_and_never_debits()
    {
        _izly.DropAnswerAfterCommit = true;
        _izly.StatusUnavailable = true;
        var processor = NewProcessor();

        var record = await processor.DebitAsync(Command(Guid.NewGuid()), _izly.DebitAsync, default);
        Assert.Equal(PaymentState.Unknown, record.State);

        _izly.StatusUnavailable = false;
        Assert.Equal(1, await processor.RecoverOpenAsync(default));
        Assert.Equal(1, _izly.DebitCalls);
    }

    [Fact]
    public async Task Request_id_reused_for_another_amount_is_refused()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => processor.DebitAsync(Command(requestId, 5m), _izly.DebitAsync, default));
        Assert.Equal(ErrorCode.RequestIdReused, ex.Code);
    }

    [Fact]
    public async Task Non_positive_amount_is_refused_before_anything_is_stored()
    {
        var requestId = Guid.NewGuid();
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => NewProcessor().DebitAsync(Command(requestId, 0m), _izly.DebitAsync, default));
        Assert.Equal(ErrorCode.InvalidRequest, ex.Code);
        Assert.Null(await new PaymentJournal(_options.DatabasePath, _time).GetAsync(Pos, requestId, default));
    }

    [Fact]
    public async Task Cancel_refunds_an_approved_payment_once()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);

        var cancelled = await processor.CancelAsync(Pos, requestId, default);
        var again = await processor.CancelAsync(Pos, requestId, default);

        Assert.Equal(PaymentState.Cancelled, cancelled.State);
        Assert.Equal(PaymentState.Cancelled, again.State);
        Assert.Equal(20m, _izly.Balance);
        var missing = await Assert.ThrowsAsync<MiddlewareException>(() => processor.CancelAsync(Pos, Guid.NewGuid(), default));
        Assert.Equal(ErrorCode.PaymentNotFound, missing.Code);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_is_recorded_from_Izly_by_the_next_host()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        _izly.DropCancelAnswerAfterCommit = true;
        _izly.StatusUnavailable = true; // the lookup that follows a lost answer fails too

        var lost = await Assert.ThrowsAsync<MiddlewareException>(() => processor.CancelAsync(Pos, requestId, default));

        Assert.Equal(ErrorCode.UpstreamUnavailable, lost.Code);
        _izly.StatusUnavailable = false;
        var journal = new PaymentJournal(_options.DatabasePath, _time);
        var pending = Assert.Single(await journal.ListRefundingAsync(default));
        Assert.Equal(PaymentState.Approved, pending.State);
        Assert.NotNull(pending.RefundRequestedAt);

        // A new host on the same file (the first one died): recovery asks Izly, which refunded, once the refund's own
        // call cannot be running any more (the debit budget).
        var next = new PaymentProcessor(journal, _izly, _time, Options.Create(_options), NullLogger<PaymentProcessor>.Instance);
        await next.RecoverOpenAsync(default);
        Assert.Single(await journal.ListRefundingAsync(default));
        _time.Advance(_options.DebitTimeout);
        await next.RecoverOpenAsync(default);

        var after = await journal.GetAsync(Pos, requestId, default);
        Assert.Equal(PaymentState.Cancelled, after!.State);
        Assert.Null(after.RefundRequestedAt);
        Assert.Empty(await journal.ListRefundingAsync(default));
        Assert.Equal(1, _izly.CancelCalls);
        Assert.Equal(20m, _izly.Balance);
    }

    [Fact]
    public async Task A_refund_made_but_answered_with_an_error_is_learnt_from_Izly_at_once()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        _izly.DropCancelAnswerAfterCommit = true;
        var statusCallsBefore = _izly.StatusCalls;

        var cancelled = await processor.CancelAsync(Pos, requestId, default);

        Assert.Equal(PaymentState.Cancelled, cancelled.State);
        Assert.Null(cancelled.RefundRequestedAt);
        Assert.Equal(statusCallsBefore + 1, _izly.StatusCalls);
        Assert.Equal(1, _izly.CancelCalls);
        Assert.Equal(20m, _izly.Balance);
        Assert.Empty(await new PaymentJournal(_options.DatabasePath, _time).ListRefundingAsync(default));
    }

    [Fact]
    public async Task A_refund_that_never_reached_Izly_leaves_the_payment_approved_and_is_not_sent_again()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        _izly.CancelUnavailable = true;

        await Assert.ThrowsAsync<MiddlewareException>(() => processor.CancelAsync(Pos, requestId, default));
        _izly.CancelUnavailable = false;
        _time.Advance(_options.DebitTimeout);
        await processor.RecoverOpenAsync(default);

        var record = await new PaymentJournal(_options.DatabasePath, _time).GetAsync(Pos, requestId, default);
        Assert.Equal(PaymentState.Approved, record!.State);
        Assert.Null(record.RefundRequestedAt);
        Assert.Equal(1, _izly.CancelCalls);
        Assert.Equal(16.70m, _izly.Balance);
    }

    [Fact]
    public async Task A_refund_stays_pending_while_Izly_cannot_be_asked()
    {
        var processor = NewProcessor();
        var requestId = Guid.NewGuid();
        await processor.DebitAsync(Command(requestId), _izly.DebitAsync, default);
        _izly.DropCancelAnswerAfterCommit = true;
        _izly.StatusUnavailable = true;
        await Assert.ThrowsAsync<MiddlewareException>(() => processor.CancelAsync(Pos, requestId, default));
        _time.Advance(_options.DebitTimeout);

        await processor.RecoverOpenAsync(default);

        var journal = new PaymentJournal(_options.DatabasePath, _time);
        Assert.Single(await journal.ListRefundingAsync(default));
        _izly.StatusUnavailable = false;
        await processor.RecoverOpenAsync(default);
        Assert.Equal(PaymentState.Cancelled, (await journal.GetAsync(Pos, requestId, default))!.State);
    }
}
