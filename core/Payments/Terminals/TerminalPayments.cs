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
    private readonly TerminalExchange _exchange = new(journal, services, options, logger);
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
    public bool IsRunning(string clientOrderId) => _running.ContainsKey(PayKey(clientOrderId)) || _running.ContainsKey(RefundKey(clientOrderId));

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
            // Under the lock, the till's hang-up no longer counts: an intent on disk is followed by its exchange.
            var (record, created) = await journal.RecordIntentAsync(pointOfSale, requestId, saleId, Channel, amount, medium, attemptNow: true, CancellationToken.None).ConfigureAwait(false);
            if (!created)
            {
                if (record.Amount != amount || !IsTerminalPayment(record))
                {
                    throw new MiddlewareException(ErrorCode.RequestIdReused, "This request id was used for another payment.");
                }

                // Running: joined (the semaphore is released first). Final, or Unknown after a crash or a lost answer:
                // never asked again.
                exchange = _running.TryGetValue(PayKey(record.ClientOrderId), out var running) ? running : Task.FromResult(record);
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
            if (!_running.TryGetValue(RefundKey(record.ClientOrderId), out var running))
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
            // Only the first marks it (a refund already asked is never asked again); the till's hang-up no longer counts.
            exchange = _running.TryGetValue(RefundKey(record.ClientOrderId), out var running) ? running
                : await journal.MarkTerminalRefundRequestedAsync(record.ClientOrderId, CancellationToken.None).ConfigureAwait(false) ? RunAsync(record, terminal, refund: true)
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
        // Under the start lock, on the record as it is now: an exchange cannot start or be running meanwhile.
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsRunning(record.ClientOrderId))
            {
                throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The terminal is still being asked for this payment: wait for its answer.");
            }

            var now = await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false);
            return await SettleLockedAsync(now, outcome, TerminalExchange.Bounded(report), resolvedBy).ConfigureAwait(false);
        }
        finally
        {
            _starting.Release();
        }
    }

    private async Task<PaymentRecord> SettleLockedAsync(PaymentRecord record, string outcome, string? report, string resolvedBy)
    {
        var cancellationToken = CancellationToken.None;
        switch (outcome)
        {
            case "accepted" or "refused" when record.State is PaymentState.Unknown:
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
                // Pending: the terminal was asked and this host has not heard its answer yet (or has just restarted and
                // not marked it Unknown yet): only an Unknown outcome is settled by hand.
                throw new MiddlewareException(ErrorCode.SaleStateInvalid,
                    $"The payment is {record.State}{(record.RefundRequestedAt is null ? "" : " with a refund asked")}: '{outcome}' does not settle it.");
            default:
                throw new MiddlewareException(ErrorCode.InvalidRequest,
                    "A terminal payment is settled with the outcome read on the terminal's receipt: outcome accepted or refused (a payment), refunded or notRefunded (a refund).");
        }
    }

    /// <summary>
    /// A sale left Paying for a terminal payment whose intent never reached the disk (the host died between the two
    /// writes): the request id is claimed as never asked (Refused, 1111) under the start lock, so a till's retry cannot
    /// start the exchange afterwards. Returns the record on disk: created here (the sale may be reopened), or the
    /// payment a till's retry recorded first (it goes on as that payment).
    /// </summary>
    public async Task<(PaymentRecord Record, bool GivenUp)> GiveUpNeverAskedAsync(string pointOfSale, Guid requestId, string saleId, string terminal, decimal amount, CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var medium = JsonSerializer.Serialize(new TerminalMedium(terminal), Json);
            var (record, created) = await journal.RecordIntentAsync(pointOfSale, requestId, saleId, Channel, amount, medium, attemptNow: false, CancellationToken.None).ConfigureAwait(false);
            if (!created)
            {
                return (record, false);
            }

            await journal.RefuseTerminalAsync(record.ClientOrderId, (int)ErrorCode.ReaderUnavailable, "The terminal was never asked (the host stopped first): nothing was taken.", null, null, CancellationToken.None).ConfigureAwait(false);
            return (await ReloadAsync(record, CancellationToken.None).ConfigureAwait(false), true);
        }
        finally
        {
            _starting.Release();
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
            if (IsTerminalPayment(open) && open.State == PaymentState.Pending && !IsRunning(open.ClientOrderId)
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
        var key = refund ? RefundKey(record.ClientOrderId) : PayKey(record.ClientOrderId);
        _running[key] = started.Task;
        _ = Task.Run(async () =>
        {
            // Removed before the waiters hear the outcome: whoever reads it may settle the payment at once.
            try
            {
                var outcome = refund ? await _exchange.RefundAsync(record, terminal).ConfigureAwait(false) : await _exchange.PayAsync(record, terminal).ConfigureAwait(false);
                _running.TryRemove(key, out _);
                started.SetResult(outcome);
            }
            catch (Exception ex)
            {
                _running.TryRemove(key, out _);
                started.SetException(ex);
            }
        });
        return started.Task;
    }

    // The refund did not happen (or is unknown): the error the till hears, from what the exchange learnt.
    private static MiddlewareException RefundError(PaymentRecord after) =>
        after.RefundRequestedAt is not null
            ? new MiddlewareException(ErrorCode.PaymentOutcomeUnknown, after.ErrorDetail ?? "The refund's outcome is unknown.", new { requestId = after.RequestId })
            : new MiddlewareException(after.ErrorCode is { } c ? (ErrorCode)c : ErrorCode.PaymentNotCancellable, after.ErrorDetail ?? "The refund was not made.", new { requestId = after.RequestId });

    private DateOnly LocalDate(string pointOfSale, DateTimeOffset at)
    {
        var zoneId = (PointOfSaleId.TryParse(pointOfSale, out var wanted)
            ? pointsOfSale.CurrentValue.FirstOrDefault(p => PointOfSaleId.TryParse(p.Id, out var id) && id == wanted)?.TimeZone
            : null) ?? "Europe/Paris";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }

    private async Task<PaymentRecord> ReloadAsync(PaymentRecord record, CancellationToken cancellationToken) =>
        await journal.GetByClientOrderIdAsync(record.ClientOrderId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("A journal record vanished.");

    private static string PayKey(string clientOrderId) => "pay:" + clientOrderId;

    private static string RefundKey(string clientOrderId) => "refund:" + clientOrderId;

    private sealed record TerminalMedium(string Terminal);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} left open by a stopped host: marked Unknown for an operator")]
    private static partial void LogAbandoned(ILogger logger, string clientOrderId);

    [LoggerMessage(LogLevel.Warning, "Terminal payment {ClientOrderId} settled by hand as {Outcome} by {ResolvedBy}")]
    private static partial void LogResolved(ILogger logger, string clientOrderId, string outcome, string resolvedBy);
}
