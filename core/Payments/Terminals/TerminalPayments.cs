using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Journal;
using Middleware.PluginHost;

namespace Middleware.Payments.Terminals;

/// <summary>
/// CB payments and refunds taken through a payment terminal (the Tetra, Concert E+), in the payment journal like Izly
/// debits: the intent is on disk before the terminal is asked. Concert has no "last transaction" query, so an answer
/// that is lost (a timeout, a broken link, the host killed) is never asked again: the payment is Unknown until an operator
/// reads the terminal's receipt and settles it (<see cref="ResolveAsync"/>). A failure that proves the terminal never got
/// the request (busy, link down, no such terminal) is a refusal: nothing was taken.
/// </summary>
/// <remarks>
/// The exchange with the terminal runs apart from the till's call: a till that hangs up while the customer types the PIN
/// does not lose the answer, and its retry (same request id) joins the exchange still running instead of starting another.
/// </remarks>
public sealed partial class TerminalPayments(
    PaymentJournal journal,
    IServiceProvider services,
    IOptions<PaymentOptions> options,
    IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale,
    TimeProvider time,
    ILogger<TerminalPayments> logger)
{
    /// <summary>The journal channel of terminal payments.</summary>
    public const string Channel = "terminal";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, Task<PaymentRecord>> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _starting = new(1, 1);

    /// <summary>Whether a journal record is a terminal payment (never settled by asking Izly).</summary>
    public static bool IsTerminalPayment(PaymentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return string.Equals(record.Channel, Channel, StringComparison.Ordinal);
    }

    /// <summary>The terminal a payment was taken on (kept in the journal with it).</summary>
    public static string? TerminalOf(PaymentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.MediumJson is { } json ? JsonSerializer.Deserialize<TerminalMedium>(json, Json)?.Terminal : null;
    }

    /// <summary>Whether the terminal is still being asked for this payment (or its refund) by this host.</summary>
    public bool IsRunning(string clientOrderId) => _running.ContainsKey(clientOrderId);

    /// <summary>
    /// Takes <paramref name="amount"/> on <paramref name="terminal"/> once for this request id: the first call asks the
    /// terminal, a repeat joins the exchange still running or returns the recorded outcome (Unknown stays Unknown).
    /// <paramref name="cancellationToken"/> only stops waiting; the exchange runs to its own end.
    /// </summary>
    public async Task<PaymentRecord> PayAsync(string pointOfSale, Guid requestId, string saleId, string terminal, decimal amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(terminal);
        if (amount <= 0)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "A card payment amount must be positive.");
        }

        Task<PaymentRecord> exchange;
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var medium = JsonSerializer.Serialize(new TerminalMedium(terminal), Json);
            var (record, created) = await journal.RecordIntentAsync(pointOfSale, requestId, saleId, Channel, amount, medium, attemptNow: true, cancellationToken).ConfigureAwait(false);
            if (!created)
            {
                if (record.Amount != amount || !IsTerminalPayment(record))
                {
                    throw new MiddlewareException(ErrorCode.RequestIdReused, "This request id was used for another payment.");
                }

                // Running: joined (the semaphore is released first). Final, or Unknown after a crash or a lost answer:
                // never asked again.
                exchange = _running.TryGetValue(record.ClientOrderId, out var running) ? running : Task.FromResult(record);
            }
            else
            {
                exchange = RunAsync(record, terminal, refund: false);
            }
        }
        finally
        {
            _starting.Release();
        }

        return await exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refunds an approved terminal payment of the same day through the terminal it was taken on (Concert credit). The
    /// intent is on disk first; a lost answer leaves it for an operator (<see cref="ResolveAsync"/> with
    /// <c>refunded</c> or <c>notRefunded</c>).
    /// </summary>
    public async Task<PaymentRecord> RefundAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.State == PaymentState.Cancelled)
        {
            return record;
        }

        if (record.State != PaymentState.Approved)
        {
            throw new MiddlewareException(ErrorCode.PaymentNotCancellable, $"A payment in state {record.State} cannot be refunded.");
        }

        if (record.RefundRequestedAt is not null)
        {
            if (!_running.TryGetValue(record.ClientOrderId, out var running))
            {
                throw new MiddlewareException(ErrorCode.PaymentOutcomeUnknown,
                    "A refund of this payment was asked of the terminal and its answer was lost: read the terminal's receipt, then payment.resolve with outcome refunded or notRefunded.");
            }

            var joined = await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            return joined.State == PaymentState.Cancelled ? joined : throw RefundError(joined);
        }

        if (LocalDate(record.PointOfSale, record.CreatedAt) != LocalDate(record.PointOfSale, time.GetUtcNow()))
        {
            throw new MiddlewareException(ErrorCode.PaymentNotCancellable, "A card payment is refunded through the terminal on the day it was taken only.");
        }

        var terminal = TerminalOf(record) ?? throw new InvalidOperationException("A terminal payment lost its terminal.");
        Task<PaymentRecord>? exchange;
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            exchange = _running.TryGetValue(record.ClientOrderId, out var running) ? running
                : await journal.MarkRefundRequestedAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false) ? RunAsync(record, terminal, refund: true)
                : null;
        }
        finally
        {
            _starting.Release();
        }

        if (exchange is null)
        {
            // Someone else moved it since it was read (refunded, or a refund asked): answer from what is on disk.
            var now = await ReloadAsync(record, cancellationToken).ConfigureAwait(false);
            if (now.State == PaymentState.Cancelled)
            {
                return now;
            }

            // A refund asked meanwhile is joined or reported; any other state is refused as such.
            return now.RefundRequestedAt is not null || now.State != PaymentState.Approved
                ? await RefundAsync(now, cancellationToken).ConfigureAwait(false)
                : throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The payment changed while its refund was asked; ask again.");
        }

        var after = await exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        return after.State == PaymentState.Cancelled ? after : throw RefundError(after);
    }

    /// <summary>
    /// An operator's settlement of a terminal payment whose answer was lost, read on the terminal's receipt:
    /// <c>accepted</c> or <c>refused</c> for the payment, <c>refunded</c> or <c>notRefunded</c> for a refund. Recorded as
    /// the operator's decision (<see cref="PaymentRecord.ResolvedBy"/>). A payment already settled the same way answers
    /// as it is; settled the other way, it is refused.
    /// </summary>
    public async Task<PaymentRecord> ResolveAsync(PaymentRecord record, string outcome, string? report, string resolvedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(resolvedBy);
        if (_running.ContainsKey(record.ClientOrderId))
        {
            throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The terminal is still being asked for this payment: wait for its answer.");
        }

        report = Bounded(report);
        switch (outcome)
        {
            case "accepted" or "refused" when record.State is PaymentState.Pending or PaymentState.Unknown:
                var done = outcome == "accepted"
                    ? await journal.ApproveTerminalAsync(record.ClientOrderId, report, resolvedBy, cancellationToken).ConfigureAwait(false)
                    : await journal.RefuseTerminalAsync(record.ClientOrderId, (int)ErrorCode.PaymentRefused, "Refused, read on the terminal's receipt by an operator.", report, resolvedBy, cancellationToken).ConfigureAwait(false);
                if (done)
                {
                    LogResolved(logger, record.ClientOrderId, outcome, resolvedBy);
                }

                return await ReloadAsync(record, cancellationToken).ConfigureAwait(false);
            case "accepted" when record.State is PaymentState.Approved or PaymentState.Cancelled:
            case "refused" when record.State is PaymentState.Refused:
            case "refunded" when record.State is PaymentState.Cancelled:
            case "notRefunded" when record.State is PaymentState.Approved && record.RefundRequestedAt is null:
                return record;
            case "refunded" or "notRefunded" when record.State is PaymentState.Approved && record.RefundRequestedAt is not null:
                if (await journal.ResolveRefundAsync(record.ClientOrderId, outcome == "refunded", resolvedBy, cancellationToken).ConfigureAwait(false))
                {
                    LogResolved(logger, record.ClientOrderId, outcome, resolvedBy);
                }

                return await ReloadAsync(record, cancellationToken).ConfigureAwait(false);
            case "accepted" or "refused" or "refunded" or "notRefunded":
                throw new MiddlewareException(ErrorCode.SaleStateInvalid,
                    $"The payment is {record.State}{(record.RefundRequestedAt is null ? "" : " with a refund asked")}: '{outcome}' does not settle it.");
            default:
                throw new MiddlewareException(ErrorCode.InvalidRequest,
                    "A terminal payment is settled with the outcome read on the terminal's receipt: outcome accepted or refused (a payment), refunded or notRefunded (a refund).");
        }
    }

    /// <summary>
    /// Open terminal payments that no exchange of this host is asking any more (the host died while the terminal was
    /// asked): marked Unknown, for the cashier to see and an operator to settle. Never sent to the terminal again.
    /// </summary>
    public async Task<int> MarkAbandonedAsync(CancellationToken cancellationToken)
    {
        var marked = 0;
        // Under the start lock: an intent just recorded is registered as running before this pass can see it.
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            marked = await MarkAbandonedLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _starting.Release();
        }

        return marked;
    }

    private async Task<int> MarkAbandonedLockedAsync(CancellationToken cancellationToken)
    {
        var marked = 0;
        foreach (var open in await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (IsTerminalPayment(open) && open.State == PaymentState.Pending && !_running.ContainsKey(open.ClientOrderId)
                && await journal.MarkUnknownAsync(open.ClientOrderId, (int)ErrorCode.PaymentOutcomeUnknown,
                    "The host stopped while the terminal was asked: read the terminal's receipt, then payment.resolve with outcome accepted or refused.", cancellationToken).ConfigureAwait(false))
            {
                LogAbandoned(logger, open.ClientOrderId);
                marked++;
            }
        }

        return marked;
    }

    // Registered before it runs (the caller holds _starting), removed when it ends: the one exchange for this payment.
    private Task<PaymentRecord> RunAsync(PaymentRecord record, string terminal, bool refund)
    {
        var started = new TaskCompletionSource<PaymentRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        _running[record.ClientOrderId] = started.Task;
        _ = Task.Run(async () =>
        {
            // Removed before the waiters hear the outcome: whoever reads it may settle the payment at once.
            try
            {
                var outcome = refund ? await ExchangeRefundAsync(record, terminal).ConfigureAwait(false) : await ExchangePaymentAsync(record, terminal).ConfigureAwait(false);
                _running.TryRemove(record.ClientOrderId, out _);
                started.SetResult(outcome);
            }
            catch (Exception ex)
            {
                _running.TryRemove(record.ClientOrderId, out _);
                started.SetException(ex);
            }
        });
        return started.Task;
    }

    private async Task<PaymentRecord> ExchangePaymentAsync(PaymentRecord record, string terminal)
    {
        var coid = record.ClientOrderId;
        var request = new TerminalPaymentRequest(terminal, record.Amount, record.RequestId.Replace("-", "", StringComparison.Ordinal), options.Value.TerminalPaymentTimeout);
        try
        {
            var result = await Readers.TakePaymentAsync(request, CancellationToken.None).ConfigureAwait(false);
            var report = Bounded(result.Report);
            switch (result.Outcome)
            {
                case TerminalPaymentOutcome.Accepted when result.Amount == record.Amount:
                    await journal.ApproveTerminalAsync(coid, report, null, CancellationToken.None).ConfigureAwait(false);
                    break;
                case TerminalPaymentOutcome.Accepted:
                    // Accepted for another amount: only the receipt can say what was taken.
                    await journal.MarkUnknownAsync(coid, (int)ErrorCode.PaymentOutcomeUnknown,
                        $"The terminal accepted {result.Amount} € where {record.Amount} € was asked: read its receipt, then payment.resolve.", CancellationToken.None).ConfigureAwait(false);
                    break;
                case TerminalPaymentOutcome.Refused:
                    await journal.RefuseTerminalAsync(coid, (int)ErrorCode.PaymentRefused, "The card or the bank refused the payment at the terminal.", report, null, CancellationToken.None).ConfigureAwait(false);
                    break;
                default:
                    await journal.RefuseTerminalAsync(coid, (int)ErrorCode.PaymentNotCompleted, "The payment was not completed at the terminal (no card, cancelled, or its time ran out).", report, null, CancellationToken.None).ConfigureAwait(false);
                    break;
            }

            LogAnswered(logger, coid, terminal, result.Outcome);
        }
        catch (Exception ex) when (NotSent(ex) is { } why)
        {
            LogNotSent(logger, coid, terminal, why);
            await journal.RefuseTerminalAsync(coid, (int)ErrorCode.ReaderUnavailable, $"The terminal was not asked ({why}): nothing was taken.", null, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The request may have reached the terminal: it may have taken the money. Never asked again.
            LogUnknown(logger, coid, terminal, ex.Message);
            await journal.MarkUnknownAsync(coid, (int)ErrorCode.PaymentOutcomeUnknown,
                $"The terminal's answer was lost ({ex.Message}): read its receipt, then payment.resolve with outcome accepted or refused.", CancellationToken.None).ConfigureAwait(false);
        }

        return await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<PaymentRecord> ExchangeRefundAsync(PaymentRecord record, string terminal)
    {
        var coid = record.ClientOrderId;
        var request = new TerminalPaymentRequest(terminal, record.Amount, record.RequestId.Replace("-", "", StringComparison.Ordinal), options.Value.TerminalPaymentTimeout);
        try
        {
            var result = await Readers.RefundAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (result.Outcome == TerminalPaymentOutcome.Accepted && result.Amount == record.Amount)
            {
                await journal.CancelAsync(coid, CancellationToken.None).ConfigureAwait(false);
            }
            else if (result.Outcome == TerminalPaymentOutcome.Accepted)
            {
                LogUnknown(logger, coid, terminal, $"refund accepted for {result.Amount} € where {record.Amount} € was asked");
                return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
                {
                    ErrorDetail = $"The terminal refunded {result.Amount} € where {record.Amount} € was asked: read its receipt, then payment.resolve.",
                };
            }
            else
            {
                await journal.ClearRefundRequestAsync(coid, CancellationToken.None).ConfigureAwait(false);
                LogAnswered(logger, coid, terminal, result.Outcome);
                return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
                {
                    ErrorCode = (int)ErrorCode.PaymentNotCancellable,
                    ErrorDetail = result.Outcome == TerminalPaymentOutcome.Refused ? "The terminal refused the refund." : "The refund was not completed at the terminal.",
                };
            }
        }
        catch (Exception ex) when (NotSent(ex) is { } why)
        {
            await journal.ClearRefundRequestAsync(coid, CancellationToken.None).ConfigureAwait(false);
            LogNotSent(logger, coid, terminal, why);
            return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
            {
                ErrorCode = (int)ErrorCode.ReaderUnavailable,
                ErrorDetail = $"The terminal was not asked ({why}): nothing was refunded.",
            };
        }
        catch (Exception ex)
        {
            LogUnknown(logger, coid, terminal, ex.Message);
            return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false)) with
            {
                ErrorDetail = $"The terminal's answer to the refund was lost ({ex.Message}): read its receipt, then payment.resolve with outcome refunded or notRefunded.",
            };
        }

        return await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false);
    }

    // The refund did not happen (or is unknown): the error the till hears, from what the exchange learnt.
    private static MiddlewareException RefundError(PaymentRecord after) =>
        after.RefundRequestedAt is not null
            ? new MiddlewareException(ErrorCode.PaymentOutcomeUnknown, after.ErrorDetail ?? "The refund's outcome is unknown.", new { requestId = after.RequestId })
            : new MiddlewareException(after.ErrorCode is { } c ? (ErrorCode)c : ErrorCode.PaymentNotCancellable, after.ErrorDetail ?? "The refund was not made.", new { requestId = after.RequestId });

    // Failures that prove the terminal never got the request: the terminal said so (busy, link down before the frame),
    // or the host could not reach a plugin for it.
    private static string? NotSent(Exception ex) => ex switch
    {
        TerminalException { RequestNotSent: true } t => t.Message,
        MiddlewareException { Code: ErrorCode.UnknownReader or ErrorCode.PluginUnavailable } m => m.Message,
        _ => null,
    };

    private ICardReaders Readers => services.GetService(typeof(ICardReaders)) as ICardReaders
        ?? throw new MiddlewareException(ErrorCode.PluginUnavailable, "This host has no card readers or terminals (CardReaders is off).");

    private DateOnly LocalDate(string pointOfSale, DateTimeOffset at)
    {
        var zoneId = pointsOfSale.CurrentValue.FirstOrDefault(p => p.Id == pointOfSale)?.TimeZone ?? "Europe/Paris";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }

    private async Task<PaymentRecord> ReloadAsync(PaymentRecord record, CancellationToken cancellationToken) =>
        await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("A journal record vanished.");

    // A terminal's report (or an operator's note) is kept with the sale: bounded, whatever the terminal or till sends.
    private static string? Bounded(string? text) => text is null ? null : text.Length <= 512 ? text : text[..512];

    private sealed record TerminalMedium(string Terminal);

    [LoggerMessage(LogLevel.Information, "Terminal payment {ClientOrderId} on {Terminal}: {Outcome}")]
    private static partial void LogAnswered(ILogger logger, string clientOrderId, string terminal, TerminalPaymentOutcome outcome);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} on {Terminal} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger logger, string clientOrderId, string terminal, string reason);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} on {Terminal}: outcome unknown ({Reason}); an operator settles it from the receipt")]
    private static partial void LogUnknown(ILogger logger, string clientOrderId, string terminal, string reason);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} left open by a stopped host: marked Unknown for an operator")]
    private static partial void LogAbandoned(ILogger logger, string clientOrderId);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} settled by hand as {Outcome} by {ResolvedBy}")]
    private static partial void LogResolved(ILogger logger, string clientOrderId, string outcome, string resolvedBy);
}
