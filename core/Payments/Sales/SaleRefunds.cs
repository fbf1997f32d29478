using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Payments.Chaos;
using Middleware.Payments.Journal;
using Middleware.Payments.Terminals;
using Middleware.Tickets;
using Middleware.Tickets.Refunds;

namespace Middleware.Payments.Sales;

/// <summary>A refund as <c>payment.cancel</c> answers it: the payment (null for a CB refund the till declared), the
/// sale (null for a payment made without one) and its refund ticket (null when there is no sale ticket to refund).</summary>
public sealed record RefundOutcome(Sale? Sale, PaymentRecord? Payment, TicketReceipt? RefundTicket);

/// <summary>
/// Refunds a committed sale and tells VEM with a refund ticket of its own (RB, crous-izly-api.md §4): an Izly payment
/// the same day (Izly's cancel), a CB payment taken on the host's terminal (a Concert credit), or a CB payment the till
/// declared, whose refund it declares too (made on its own terminal). The sale is Refunding on disk before Izly or the
/// terminal is asked; the refund ticket is committed before the till hears success, and whatever a crash or a lost
/// answer interrupts is finished by <see cref="CompleteRefundingAsync"/> (the recovery pass): no refund without its
/// ticket after a restart, and never two tickets for one refund (the ticket's request id derives from the sale's).
/// </summary>
internal sealed class SaleRefunds(
    SaleStore store,
    SaleTransitions transitions,
    PaymentProcessor payments,
    PaymentJournal journal,
    TerminalPayments? terminals,
    ITicketService tickets,
    IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale,
    TimeProvider time,
    ILogger logger,
    CrashPoints? crashPoints)
{
    // A Refunding sale whose journal shows no refund asked is either a crash between the two writes or a payment.cancel
    // between them right now: only the first is put back, once this long has passed (the two writes take milliseconds).
    private static readonly TimeSpan NeverAskedAfter = TimeSpan.FromMinutes(1);

    // One refund of a sale at a time in this host (a till's retry on another connection, the recovery pass): a fixed set
    // of locks, a sale's by the hash of its id, so memory stays bounded however many sales are refunded.
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary><c>payment.cancel</c>: refunds the payment <paramref name="paymentRequestId"/> and, when it paid a sale
    /// whose ticket is committed, commits that sale's refund ticket. <paramref name="declaredBy"/> names the caller (kept
    /// with a declared CB refund).</summary>
    public async Task<RefundOutcome> RefundAsync(PointOfSaleId pointOfSale, Guid paymentRequestId, string declaredBy, CancellationToken cancellationToken)
    {
        var pos = pointOfSale.ToString();
        var record = await journal.GetAsync(pos, paymentRequestId, cancellationToken).ConfigureAwait(false);
        var sale = await store.GetByPaymentRequestIdAsync(pos, paymentRequestId.ToString("D"), cancellationToken).ConfigureAwait(false);
        if (sale is null)
        {
            // A payment without a sale of the host (no sale ticket to give back): refunded as before, no refund ticket.
            return record is null
                ? throw new MiddlewareException(ErrorCode.PaymentNotFound, "No payment with this request id.")
                : new RefundOutcome(null, await RefundPaymentAsync(record, cancellationToken).ConfigureAwait(false), null);
        }

        if (record is null && !IsDeclaredCb(sale))
        {
            throw new MiddlewareException(ErrorCode.PaymentNotFound, "No payment with this request id.");
        }

        var gate = LockOf(sale.Id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RefundLockedAsync(sale.Id, declaredBy, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Finishes the refunds a crash, a lost answer or an operator's settlement left Refunding. Returns how many
    /// reached Refunded.</summary>
    public async Task<int> CompleteRefundingAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var sale in await store.ListByStateAsync(SaleState.Refunding, 1000, cancellationToken).ConfigureAwait(false))
        {
            var gate = LockOf(sale.Id);
            if (!await gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                continue; // a till's payment.cancel is on it
            }

            try
            {
                if ((await SettleRefundingAsync(sale, cancellationToken).ConfigureAwait(false)).State == SaleState.Refunded)
                {
                    done++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                SaleLog.RefundTicketFailed(logger, ex, sale.Id, sale.PointOfSale);
            }
            finally
            {
                gate.Release();
            }
        }

        return done;
    }

    /// <summary>After an operator settled a terminal refund by hand (<c>payment.resolve</c>): the sale's refund ticket when
    /// it was refunded, the sale Committed again when it was not. Null when the payment paid no Refunding sale.</summary>
    public async Task<Sale?> SettleAfterResolveAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (await store.GetByPaymentRequestIdAsync(record.PointOfSale, record.RequestId, cancellationToken).ConfigureAwait(false) is not { State: SaleState.Refunding } sale)
        {
            return null;
        }

        var gate = LockOf(sale.Id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = await store.GetAsync(sale.Id, cancellationToken).ConfigureAwait(false) ?? sale;
            return now.State == SaleState.Refunding ? await SettleRefundingAsync(now, cancellationToken, resolvedByHand: true).ConfigureAwait(false) : now;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<RefundOutcome> RefundLockedAsync(string saleId, string declaredBy, CancellationToken cancellationToken)
    {
        // Read again under the lock: another call may have moved it meanwhile.
        var sale = await store.GetAsync(saleId, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("A sale vanished.");
        var record = sale.HasJournaledPayment ? await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false) : null;
        switch (sale.State)
        {
            case SaleState.Refunded:
                return new RefundOutcome(sale, record, sale.RefundTicket);
            case SaleState.Committed:
                if (IsDeclaredCb(sale) && !SameLocalDay(sale))
                {
                    throw new MiddlewareException(ErrorCode.PaymentNotCancellable, "A CB refund is declared on the day of the sale only.");
                }

                // On disk (FULL) before anyone is asked: a crash from here on leaves a sale the recovery pass finishes.
                sale = await transitions.MoveAsync(sale, SaleState.Committed,
                    s => s with { State = SaleState.Refunding, RefundDeclaredBy = IsDeclaredCb(s) ? declaredBy : null, LastError = null, LastErrorCode = null },
                    cancellationToken).ConfigureAwait(false);
                SaleLog.RefundAsked(logger, sale.Id, sale.PointOfSale, sale.PaymentMethod ?? "");
                break;
            case SaleState.Refunding:
                break; // a retry, or a refund an earlier call left unfinished: go on from where it is
            case SaleState.Paid:
                throw new MiddlewareException(ErrorCode.SaleStateInvalid, "The sale's ticket is being committed: ask the refund again in a moment.", new { saleId = sale.Id, state = sale.State.ToString() });
            case SaleState.PaidNoTicket:
                throw new MiddlewareException(ErrorCode.SaleStateInvalid,
                    "The sale has no ticket yet (it was refused): support replays it (sale.retryTicket) before the refund, so that VEM receives both.",
                    new { saleId = sale.Id, state = sale.State.ToString() });
            default:
                throw new MiddlewareException(ErrorCode.PaymentNotCancellable, $"A sale in state {sale.State} has nothing to refund.", new { saleId = sale.Id, state = sale.State.ToString() });
        }

        if (record is not null && record.State != PaymentState.Cancelled)
        {
            try
            {
                record = await RefundPaymentAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (MiddlewareException)
            {
                // Not made for sure: the sale is Committed again. Unknown: it stays Refunding for recovery or an operator.
                await RevertIfNeverRefundedAsync(sale, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        sale = await CommitRefundTicketAsync(sale, cancellationToken).ConfigureAwait(false);
        return new RefundOutcome(sale, record, sale.RefundTicket);
    }

    private async Task<PaymentRecord> RefundPaymentAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        // A CB payment taken on a terminal is refunded on it (Concert credit): the customer presents the card again.
        var refunded = TerminalPayments.IsTerminalPayment(record)
            ? await (terminals ?? throw new InvalidOperationException("A terminal payment needs the terminal payments service.")).RefundAsync(record, cancellationToken).ConfigureAwait(false)
            : await payments.CancelAsync(record.PointOfSale, Guid.Parse(record.RequestId), cancellationToken).ConfigureAwait(false);
        crashPoints?.Hit(CrashPoints.AfterRefundJournaled);
        return refunded;
    }

    // A Refunding sale: its ticket when the refund is made (or declared), back to Committed when it was never made.
    private async Task<Sale> SettleRefundingAsync(Sale sale, CancellationToken cancellationToken, bool resolvedByHand = false)
    {
        if (IsDeclaredCb(sale))
        {
            return await CommitRefundTicketAsync(sale, cancellationToken).ConfigureAwait(false);
        }

        var record = await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
        if (record?.State == PaymentState.Cancelled)
        {
            return await CommitRefundTicketAsync(sale, cancellationToken).ConfigureAwait(false);
        }

        if (resolvedByHand || time.GetUtcNow() - sale.UpdatedAt >= NeverAskedAfter)
        {
            return await RevertIfNeverRefundedAsync(sale, cancellationToken).ConfigureAwait(false);
        }

        return sale;
    }

    private async Task<Sale> RevertIfNeverRefundedAsync(Sale sale, CancellationToken cancellationToken)
    {
        var record = sale.HasJournaledPayment ? await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false) : null;
        var neverMade = record is { State: PaymentState.Approved, RefundRequestedAt: null }
            && !(terminals?.IsRunning(record.ClientOrderId) ?? false);
        if (!neverMade)
        {
            return sale;
        }

        var reverted = await store.TryUpdateAsync(sale with { State = SaleState.Committed, RefundDeclaredBy = null, UpdatedAt = time.GetUtcNow() }, SaleState.Refunding, cancellationToken).ConfigureAwait(false);
        if (reverted is not null)
        {
            SaleLog.RefundNotMade(logger, sale.Id, sale.PointOfSale);
        }

        return reverted ?? sale;
    }

    // The refund ticket, committed before the sale says Refunded: idempotent by the request id derived from the sale's.
    private async Task<Sale> CommitRefundTicketAsync(Sale sale, CancellationToken cancellationToken)
    {
        var pointOfSale = PointOfSaleId.Parse(sale.PointOfSale);
        var saleTicket = sale.Ticket ?? throw new InvalidOperationException("A refunded sale has no ticket to refund.");
        var origin = await tickets.GetDetailAsync(pointOfSale, long.Parse(saleTicket.IdTicketEntete, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.TicketNotFound, $"The sale's ticket {saleTicket.IdTicketEntete} is not in the outbox: its refund ticket cannot be built.");
        TicketReceipt receipt;
        try
        {
            receipt = await tickets.CommitAsync(pointOfSale, RefundTicketSale.RequestIdFor(sale.PaymentRequestId!), RefundTicketSale.For(origin), cancellationToken).ConfigureAwait(false);
        }
        catch (MiddlewareException ex)
        {
            // The money is given back; the ticket is retried at every recovery pass, and the error shows on the sale.
            SaleLog.RefundTicketFailed(logger, ex, sale.Id, sale.PointOfSale);
            await store.TryUpdateAsync(sale with { LastError = ex.Message, LastErrorCode = (int)ex.Code, UpdatedAt = time.GetUtcNow() }, SaleState.Refunding, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var refunded = await transitions.MoveAsync(sale, SaleState.Refunding,
            s => s with { State = SaleState.Refunded, RefundTicket = receipt, LastError = null, LastErrorCode = null }, cancellationToken).ConfigureAwait(false);
        SaleLog.Refunded(logger, refunded.Id, refunded.PointOfSale, receipt.IdTicketEntete);
        return refunded;
    }

    private SemaphoreSlim LockOf(string saleId) => _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(saleId) % (uint)_locks.Length)];

    private static bool IsDeclaredCb(Sale sale) => sale.PaymentMethod == "cb" && sale.Terminal is null;

    // Same rule as a terminal refund: the day the sale was taken, in its point of sale's zone.
    private bool SameLocalDay(Sale sale)
    {
        var zoneId = pointsOfSale.CurrentValue.FirstOrDefault(p => PointOfSaleId.TryParse(p.Id, out var id) && id.ToString() == sale.PointOfSale)?.TimeZone ?? "Europe/Paris";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        var soldAt = sale.Ticket?.Date ?? sale.UpdatedAt;
        return TimeZoneInfo.ConvertTime(soldAt, zone).Date == TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date;
    }
}
