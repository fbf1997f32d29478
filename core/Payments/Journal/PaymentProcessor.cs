using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Payments.Chaos;

namespace Middleware.Payments.Journal;

/// <summary>What a till asks to debit.</summary>
/// <param name="PointOfSale">The till's point of sale.</param>
/// <param name="RequestId">The till's request id: the same id is the same payment, answered from the journal.</param>
/// <param name="SaleId">The sale it pays, when any.</param>
/// <param name="Amount">Euros.</param>
/// <param name="Medium">Card or QR code.</param>
/// <param name="MediumJson">What the ticket needs of the medium later (kept in the journal).</param>
public sealed record PaymentCommand(string PointOfSale, Guid RequestId, string? SaleId, decimal Amount, PaymentMedium Medium, string? MediumJson);

/// <summary>
/// Takes Izly payments without ever paying twice: the intent is durable before Izly is called, every debit carries a
/// client order id derived from the till's request id, and a lost answer is settled by asking Izly for that order id.
/// </summary>
public sealed partial class PaymentProcessor(PaymentJournal journal, IIzlyGateway gateway, TimeProvider time, IOptions<PaymentOptions> options, ILogger<PaymentProcessor> logger,
    CrashPoints? crashPoints = null)
{
    /// <summary>The channel of IzlyPay web payments: settled only by the sale's verification call, never here.</summary>
    public const string WebPaymentChannel = "izlypay";

    private readonly PaymentOptions _options = options.Value;

    // The payments this process is debiting or asking Izly about right now, by client order id. The till's sale.pay, its
    // retry on another connection, payment.resolve and the background pass may push one payment at once: asked while
    // the debit is on its way, Izly does not know the order yet, and that answer would mark a payment Unknown (a 1402
    // for the till) moments before Izly approves it. A second caller waits for the first one's answer (the till's
    // sale.pay) or answers the journal's record as it stands (status checks, the background pass), and never asks.
    private readonly ConcurrentDictionary<string, Task> _working = new(StringComparer.Ordinal);

    /// <summary>The whole budget of one debit (<see cref="PaymentOptions.DebitTimeout"/>): the channel plugin's call gets
    /// this budget too, so the plugin host's shorter default call timeout does not cut a debit short.</summary>
    public TimeSpan DebitTimeout => _options.DebitTimeout;

    /// <summary>
    /// Whether a payment is an IzlyPay web payment. Izly's debit search by client order id does not find those (the
    /// operation is keyed by its operation id), so a "not found" would wrongly refuse a payment the customer may still
    /// confirm: <see cref="Sales.SaleService"/> settles them through the web-payment verification call instead.
    /// </summary>
    public static bool IsWebPayment(PaymentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return string.Equals(record.Channel, WebPaymentChannel, StringComparison.Ordinal);
    }

    /// <summary>Whether this process is debiting, or asking Izly about, the payment of <paramref name="requestId"/> at this
    /// moment (a background pass leaves it to that call).</summary>
    public bool IsWorkingOn(string pointOfSale, Guid requestId) =>
        _working.ContainsKey(PaymentJournal.ClientOrderIdFor(pointOfSale, requestId));

    /// <summary>
    /// Debits once. A repeat of the same request id returns the recorded outcome; a repeat while the outcome is open
    /// asks Izly instead of debiting again. <paramref name="debit"/> performs the debit (the channel plugin).
    /// </summary>
    public Task<PaymentRecord> DebitAsync(PaymentCommand command, Func<DebitRequest, CancellationToken, Task<DebitResult>> debit, CancellationToken cancellationToken) =>
        DebitAsync(command, debit, waitIfRunning: true, cancellationToken);

    /// <summary>As <see cref="DebitAsync(PaymentCommand, Func{DebitRequest, CancellationToken, Task{DebitResult}}, CancellationToken)"/>;
    /// when this process is already debiting or asking about this payment, <paramref name="waitIfRunning"/> false returns
    /// the journal's record at once (still open) instead of waiting for that call: for a status check or the background
    /// pass, whose callers must not wait out a debit's whole budget.</summary>
    public async Task<PaymentRecord> DebitAsync(PaymentCommand command, Func<DebitRequest, CancellationToken, Task<DebitResult>> debit, bool waitIfRunning, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(debit);
        if (command.Amount <= 0)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "A debit amount must be positive.");
        }

        // Taken before the intent is written: another caller that finds the intent finds this process working on it.
        var clientOrderId = PaymentJournal.ClientOrderIdFor(command.PointOfSale, command.RequestId);
        while (true)
        {
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_working.TryAdd(clientOrderId, mine.Task))
            {
                try
                {
                    return await DebitOwnedAsync(command, debit, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _working.TryRemove(new KeyValuePair<string, Task>(clientOrderId, mine.Task));
                    mine.SetResult();
                }
            }

            if (_working.TryGetValue(clientOrderId, out var running))
            {
                if (!waitIfRunning && await journal.GetByClientOrderIdAsync(clientOrderId, cancellationToken).ConfigureAwait(false) is { } now)
                {
                    return now;
                }

                // Its outcome, once known, is the journal's: the next turn finds it final, or asks Izly if it is not.
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<PaymentRecord> DebitOwnedAsync(PaymentCommand command, Func<DebitRequest, CancellationToken, Task<DebitResult>> debit, CancellationToken cancellationToken)
    {
        var (record, created) = await journal.RecordIntentAsync(command.PointOfSale, command.RequestId, command.SaleId,
            command.Medium.Channel, command.Amount, command.MediumJson, attemptNow: true, cancellationToken).ConfigureAwait(false);
        if (!created)
        {
            if (record.Amount != command.Amount || record.Channel != command.Medium.Channel)
            {
                throw new MiddlewareException(ErrorCode.RequestIdReused, "This request id was used for another payment.");
            }

            if (record.IsFinal)
            {
                return record;
            }

            if (record.LastAttemptAt is not null)
            {
                // Izly may have the debit: ask, never pay again.
                return await RecoverOwnedAsync(record, cancellationToken).ConfigureAwait(false);
            }

            // An intent stored earlier but never sent (a crash before the call): mark this attempt before calling.
            await journal.MarkAttemptAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false);
        }

        var request = new DebitRequest(command.PointOfSale, record.ClientOrderId, command.Amount, command.Medium);
        using var timeout = new CancellationTokenSource(_options.DebitTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await debit(request, linked.Token).ConfigureAwait(false);
            crashPoints?.Hit(CrashPoints.AfterIzlyDebit);
            await SettleAsync(record, result, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (AsRefusal(ex) is { } refused)
        {
            // Izly answered "no" (balance, blocked account, used QR code...): final, nothing was debited. The channel
            // call may have wrapped the refusal into the till's error: it is still a refusal, not a lost answer.
            LogRefused(logger, record.ClientOrderId, refused.Refusal);
            await journal.RefuseAsync(record.ClientOrderId, (int)IzlyErrors.ToErrorCode(refused.Refusal), refused.Message, refused.Balance, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever failed (network, timeout, the channel itself), the request may have reached Izly: the outcome
            // is unknown until Izly says otherwise.
            LogLostAnswer(logger, record.ClientOrderId, ex.GetType().Name);
            await journal.MarkUnknownAsync(record.ClientOrderId, (int)ErrorCode.PaymentOutcomeUnknown, ex.Message, CancellationToken.None).ConfigureAwait(false);
            var unknown = await Reload(record, CancellationToken.None).ConfigureAwait(false);
            return await RecoverOwnedAsync(unknown, cancellationToken).ConfigureAwait(false);
        }

        return await Reload(record, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Asks Izly for an open payment's outcome and settles the journal when Izly knows it.</summary>
    /// <remarks>A payment this process is debiting or asking about at this moment is returned as the journal has it:
    /// what that call learns is first-hand, and a status query made meanwhile could not tell more.</remarks>
    public async Task<PaymentRecord> RecoverAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IsFinal || IsWebPayment(record) || Terminals.TerminalPayments.IsTerminalPayment(record))
        {
            // A web payment is not a debit by order id: only the sale's verification call may settle it. A terminal (CB)
            // payment is not Izly's at all: Izly's "no such order" would refuse a payment the terminal may have taken.
            return record;
        }

        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_working.TryAdd(record.ClientOrderId, mine.Task))
        {
            return await Reload(record, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await RecoverOwnedAsync(await Reload(record, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _working.TryRemove(new KeyValuePair<string, Task>(record.ClientOrderId, mine.Task));
            mine.SetResult();
        }
    }

    // RecoverAsync for the caller that holds the payment's place in _working.
    private async Task<PaymentRecord> RecoverOwnedAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        if (record.IsFinal)
        {
            return record;
        }

        if (record.LastAttemptAt is null)
        {
            // Never sent: nothing can have been debited.
            if (time.GetUtcNow() - record.CreatedAt >= _options.SettleDelay)
            {
                await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "The debit was never sent to Izly.", cancellationToken).ConfigureAwait(false);
            }

            return await Reload(record, cancellationToken).ConfigureAwait(false);
        }

        DebitResult? found;
        try
        {
            found = await GetDebitAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsLostAnswer(ex, cancellationToken))
        {
            LogStillUnknown(logger, record.ClientOrderId, ex.GetType().Name);
            await journal.MarkUnknownAsync(record.ClientOrderId, (int)ErrorCode.PaymentOutcomeUnknown, "Izly status query failed: " + ex.Message, CancellationToken.None).ConfigureAwait(false);
            return await Reload(record, CancellationToken.None).ConfigureAwait(false);
        }

        if (found is not null)
        {
            await SettleAsync(record, found, CancellationToken.None).ConfigureAwait(false);
        }
        else if (time.GetUtcNow() - record.LastAttemptAt.Value >= _options.SettleDelay)
        {
            await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "Izly has no debit for this order: it never arrived.", CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await journal.MarkUnknownAsync(record.ClientOrderId, (int)ErrorCode.PaymentOutcomeUnknown, "Izly does not know this order yet.", CancellationToken.None).ConfigureAwait(false);
        }

        return await Reload(record, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Settles every open payment (at start and periodically). Failures are logged and retried later.</summary>
    public async Task<int> RecoverOpenAsync(CancellationToken cancellationToken)
    {
        var settled = 0;
        foreach (var open in await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (IsWebPayment(open) || Terminals.TerminalPayments.IsTerminalPayment(open))
            {
                // Web payments: settled by SaleService with the web-payment verification call (its sale is Paying).
                // Terminal payments: by the terminal's answer, or by an operator from its receipt.
                continue;
            }

            try
            {
                var after = await RecoverAsync(open, cancellationToken).ConfigureAwait(false);
                if (after.IsFinal)
                {
                    settled++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRecoveryFailed(logger, ex, open.ClientOrderId);
            }
        }

        return settled + await RecoverRefundsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refunds an approved payment the same day.</summary>
    public async Task<PaymentRecord> CancelAsync(string pointOfSale, Guid requestId, CancellationToken cancellationToken)
    {
        var record = await journal.GetAsync(pointOfSale, requestId, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.PaymentNotFound, "No payment with this request id.");
        if (record.State == PaymentState.Cancelled)
        {
            return record;
        }

        if (record.State != PaymentState.Approved || record.IdTransactionIzly is null)
        {
            throw new MiddlewareException(ErrorCode.PaymentNotCancellable, $"A payment in state {record.State} cannot be cancelled.");
        }

        if (record.Channel == WebPaymentChannel)
        {
            // Its id is the web operation's, not a till debit's: sent to the till API's cancel call it would name
            // another operation, or someone else's debit. The IzlyPay API has no refund call.
            throw new MiddlewareException(ErrorCode.PaymentNotCancellable,
                "An IzlyPay web payment cannot be refunded from the till (the IzlyPay API has no refund call): refund it from the Izly back office.");
        }

        // The intent first (FULL): a crash or a lost answer after Izly refunded must not leave the journal saying
        // Approved while Izly says refunded. Recovery asks Izly and records what it did.
        await journal.MarkRefundRequestedAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false);
        IzlyOperationStatus status;
        try
        {
            status = await gateway.CancelAsync(pointOfSale, record.IdTransactionIzly, cancellationToken).ConfigureAwait(false);
        }
        catch (IzlyRefusedException refused)
        {
            await journal.ClearRefundRequestAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false);
            throw new MiddlewareException(ErrorCode.PaymentNotCancellable, refused.Message, null, refused);
        }
        catch (IzlyUnavailableException unavailable)
        {
            // Izly may have refunded (its answer was lost, garbled or an error after the fact): ask it now, so the
            // till hears the truth rather than a guess. Unsettled, the intent stays and recovery records Izly's answer.
            if (await RefundMadeAsync(record, cancellationToken).ConfigureAwait(false))
            {
                await journal.CancelAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false);
                return await Reload(record, CancellationToken.None).ConfigureAwait(false);
            }

            throw new MiddlewareException(ErrorCode.UpstreamUnavailable, unavailable.Message, null, unavailable);
        }

        if (status is not (IzlyOperationStatus.Cancelled or IzlyOperationStatus.Refunded))
        {
            await journal.ClearRefundRequestAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false);
            throw new MiddlewareException(ErrorCode.PaymentNotCancellable, $"Izly answered status {status} to the cancellation.");
        }

        await journal.CancelAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false);
        return await Reload(record, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Settles refunds whose outcome was not recorded (the host died, or Izly's answer was lost): asks Izly for the
    /// debit by its order id and records a refund Izly made. A debit Izly still holds means the refund did not happen:
    /// the till was told so (an error), so the intent is dropped and nothing is sent again.
    /// </summary>
    public async Task<int> RecoverRefundsAsync(CancellationToken cancellationToken)
    {
        var settled = 0;
        foreach (var record in await journal.ListRefundingAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Terminals.TerminalPayments.IsTerminalPayment(record))
            {
                continue; // A terminal refund is not Izly's: settled by the terminal's answer or by an operator.
            }

            if (time.GetUtcNow() - record.RefundRequestedAt < _options.DebitTimeout)
            {
                continue; // its payment.cancel may still be waiting for Izly: what it learns is first-hand
            }

            DebitResult? found;
            try
            {
                found = await GetDebitAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsLostAnswer(ex, cancellationToken))
            {
                LogRefundStillUnknown(logger, record.ClientOrderId, ex.GetType().Name);
                continue;
            }

            if (found?.Status is IzlyOperationStatus.Cancelled or IzlyOperationStatus.Refunded)
            {
                await journal.CancelAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false);
                LogRefundRecovered(logger, record.ClientOrderId);
                settled++;
            }
            else if (found?.Status is IzlyOperationStatus.Completed)
            {
                await journal.ClearRefundRequestAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false);
                settled++;
            }
        }

        return settled;
    }

    private async Task SettleAsync(PaymentRecord record, DebitResult result, CancellationToken cancellationToken)
    {
        switch (result.Status)
        {
            case IzlyOperationStatus.Completed:
                await journal.ApproveAsync(record.ClientOrderId, result.IdTransactionIzly, result.BalanceAfter, cancellationToken).ConfigureAwait(false);
                break;
            case IzlyOperationStatus.Refused or IzlyOperationStatus.Cancelled or IzlyOperationStatus.Refunded:
                await journal.RefuseAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, $"Izly status {result.Status}.", cancellationToken).ConfigureAwait(false);
                break;
            default:
                // Waiting at Izly: not final yet; recovery asks again.
                await journal.MarkUnknownAsync(record.ClientOrderId, (int)ErrorCode.PaymentOutcomeUnknown, $"Izly status {result.Status}.", cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    // True when Izly's record shows the debit refunded. Any other record, or no answer, proves nothing yet: a cancel
    // whose answer timed out may still be running at Izly, and the till's retry of payment.cancel is safe (Izly
    // answers an already cancelled debit with its cancelled status).
    private async Task<bool> RefundMadeAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        try
        {
            var found = await GetDebitAsync(record, cancellationToken).ConfigureAwait(false);
            return found?.Status is IzlyOperationStatus.Cancelled or IzlyOperationStatus.Refunded;
        }
        catch (Exception ex) when (IsLostAnswer(ex, cancellationToken) || ex is IzlyRefusedException)
        {
            LogRefundStillUnknown(logger, record.ClientOrderId, ex.GetType().Name);
            return false;
        }
    }

    // Izly's record of a debit by its client order id, within the status budget (its retries included).
    private async Task<DebitResult?> GetDebitAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.StatusTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        return await gateway.GetDebitAsync(record.PointOfSale, record.ClientOrderId, linked.Token).ConfigureAwait(false);
    }

    private static IzlyRefusedException? AsRefusal(Exception ex) =>
        ex as IzlyRefusedException ?? (ex as MiddlewareException)?.InnerException as IzlyRefusedException;

    private async Task<PaymentRecord> Reload(PaymentRecord record, CancellationToken cancellationToken) =>
        await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("A journal record vanished.");

    // A failure after which Izly may or may not have the debit. The caller's own cancellation is not one of them:
    // it propagates, and the open payment is settled by recovery.
    [SuppressMessage("Style", "IDE0046", Justification = "Readability.")]
    private static bool IsLostAnswer(Exception ex, CancellationToken callerToken)
    {
        if (ex is OperationCanceledException)
        {
            return !callerToken.IsCancellationRequested;
        }

        return ex is IzlyUnavailableException or TimeoutException or HttpRequestException or IOException;
    }

    [LoggerMessage(LogLevel.Information, "Izly refused payment {ClientOrderId}: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string clientOrderId, IzlyRefusal refusal);

    [LoggerMessage(LogLevel.Warning, "Answer of payment {ClientOrderId} lost ({Failure}); asking Izly for its status")]
    private static partial void LogLostAnswer(ILogger logger, string clientOrderId, string failure);

    [LoggerMessage(LogLevel.Warning, "Payment {ClientOrderId} still unknown: status query failed ({Failure})")]
    private static partial void LogStillUnknown(ILogger logger, string clientOrderId, string failure);

    [LoggerMessage(LogLevel.Warning, "Refund of payment {ClientOrderId} still unknown: status query failed ({Failure})")]
    private static partial void LogRefundStillUnknown(ILogger logger, string clientOrderId, string failure);

    [LoggerMessage(LogLevel.Warning, "Refund of payment {ClientOrderId} found made at Izly after its answer was lost: recorded as Cancelled")]
    private static partial void LogRefundRecovered(ILogger logger, string clientOrderId);

    [LoggerMessage(LogLevel.Error, "Recovery of payment {ClientOrderId} failed")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception ex, string clientOrderId);
}
