using Microsoft.Extensions.Logging;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Telemetry;
using Middleware.Payments.Chaos;
using Middleware.Payments.Journal;
using Middleware.Payments.Terminals;
using Middleware.Tickets;

namespace Middleware.Payments.Sales;

/// <summary>
/// Takes a sale from Paying to Committed: the debit (or its recovery, or the web payment's settlement), Paid, then the
/// ticket; a ticket refused for good parks the sale as PaidNoTicket.
/// </summary>
internal sealed class SaleContinuation(
    SaleStore store,
    SaleTransitions transitions,
    PaymentProcessor payments,
    PaymentJournal journal,
    ITicketService tickets,
    ChannelInvoker channels,
    WebPaymentSettler webPayments,
    TerminalPayments? terminals,
    TimeProvider time,
    ILogger logger,
    CrashPoints? crashPoints)
{
    // Moves a Paying/Paid sale as far as it can go. The till's call, its retry on another connection, payment.resolve and
    // the background pass may all push the same sale at once: the one that loses a state change goes on from where the
    // winner left the sale (every step is idempotent) instead of failing the till's call.
    // Only the till's sale.pay (tillAsksPayment) may ask a payment terminal: the customer is at the till then. A status
    // check or the background pass never does, the customer may have gone.
    public async Task<PayOutcome> ContinueAsync(Sale sale, CancellationToken cancellationToken, bool tillAsksPayment = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ContinueOnceAsync(sale, tillAsksPayment, cancellationToken).ConfigureAwait(false);
            }
            catch (MiddlewareException ex) when (ex.Code == ErrorCode.SaleStateInvalid && attempt < 5)
            {
                var now = await store.GetAsync(sale.Id, cancellationToken).ConfigureAwait(false);
                if (now is null || now.PaymentRequestId != sale.PaymentRequestId || now.State is not (SaleState.Paying or SaleState.Paid or SaleState.Committed))
                {
                    throw;
                }

                sale = now;
            }
        }
    }

    // One pass: debit (or its recovery), then the ticket.
    private async Task<PayOutcome> ContinueOnceAsync(Sale sale, bool tillAsksPayment, CancellationToken cancellationToken)
    {
        var pointOfSale = PointOfSaleId.Parse(sale.PointOfSale);
        PaymentRecord? payment = null;
        if (sale.State == SaleState.Paying)
        {
            if (sale.PaymentMethod == "cb" && sale.Terminal is null)
            {
                sale = await transitions.MoveAsync(sale, SaleState.Paying, s => s with { State = SaleState.Paid }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (sale.PaymentMethod == "izlypay")
                {
                    // Settling may have stored the customer's code on the sale: go on from that version, not the old one.
                    (sale, payment) = await webPayments.SettleAsync(sale, cancellationToken).ConfigureAwait(false);
                }
                else if (sale.PaymentMethod == "cb")
                {
                    (sale, payment) = await TerminalPaymentAsync(sale, tillAsksPayment, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    payment = await DebitAsync(sale, tillAsksPayment, cancellationToken).ConfigureAwait(false);
                }

                switch (payment.State)
                {
                    case PaymentState.Approved:
                        crashPoints?.Hit(CrashPoints.AfterDebitJournaled);
                        sale = await transitions.MoveAsync(sale, SaleState.Paying, s => s with { State = SaleState.Paid }, cancellationToken).ConfigureAwait(false);
                        SaleMetrics.Payment(sale, "approved");
                        break;
                    case PaymentState.Refused or PaymentState.Cancelled:
                        await transitions.MoveAsync(sale, SaleState.Paying, s => s with { State = SaleState.Open, PaymentRequestId = null, PaymentMethod = null, WebOperationId = null, Terminal = null }, cancellationToken).ConfigureAwait(false);
                        SaleMetrics.Payment(sale, payment.State == PaymentState.Cancelled ? "cancelled" : "refused");
                        SaleMetrics.Sale(sale, "payment_refused");
                        var code = payment.ErrorCode is { } c ? (ErrorCode)c : ErrorCode.PaymentRefused;
                        // Izly's refusal for balance carries the balance: the cashier shows it and offers CB, as when the
                        // middleware refuses before calling Izly.
                        throw new MiddlewareException(code, payment.ErrorDetail ?? "Payment refused.", code == ErrorCode.InsufficientBalance
                            ? (object)new { requestId = payment.RequestId, balance = payment.BalanceAfter, total = payment.Amount }
                            : new { requestId = payment.RequestId });
                    default:
                        if (tillAsksPayment && sale.PaymentMethod != "izlypay")
                        {
                            SaleMetrics.Payment(sale, "unknown"); // settled later by the recovery pass or payment.resolve
                        }

                        if (sale.PaymentMethod == "izlypay")
                        {
                            return new PayOutcome(sale, payment); // The customer has not confirmed yet.
                        }

                        // A terminal payment's outcome is never asked again (Concert has no query): the cashier reads
                        // the terminal's receipt and an operator settles it with payment.resolve.
                        throw new MiddlewareException(ErrorCode.PaymentOutcomeUnknown,
                            payment.State == PaymentState.Pending && sale.Terminal is null ? "The debit is still waiting for Izly's answer." : payment.ErrorDetail ?? "Outcome unknown.",
                            new { requestId = payment.RequestId, saleId = sale.Id, terminal = sale.Terminal });
                }
            }
        }

        if (sale.State == SaleState.PaidNoTicket)
        {
            payment ??= !sale.HasJournaledPayment ? null : await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
            throw PaidNoTicketError(sale, payment);
        }

        if (sale.State == SaleState.Paid)
        {
            payment ??= !sale.HasJournaledPayment ? null : await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
            crashPoints?.Hit(CrashPoints.BeforeTicketCommit);
            TicketReceipt receipt;
            using var commitSpan = MiddlewareTelemetry.Source.StartActivity("ticket.commit");
            commitSpan?.SetTag(MiddlewareTelemetry.Tags.SaleId, sale.Id);
            try
            {
                receipt = await tickets.CommitAsync(pointOfSale, sale.PaymentRequestId!, SaleTicketBuilder.Build(sale, payment), cancellationToken).ConfigureAwait(false);
            }
            catch (MiddlewareException ex) when (IsPermanentTicketRefusal(ex.Code))
            {
                // The money is taken and this ticket cannot be built as things stand: park the sale where an operator
                // sees it, instead of retrying the same refusal at every recovery pass.
                var refused = await transitions.MoveAsync(sale, SaleState.Paid, s => s with { State = SaleState.PaidNoTicket, LastError = ex.Message, LastErrorCode = (int)ex.Code }, cancellationToken).ConfigureAwait(false);
                SaleLog.PaidNoTicket(logger, refused.Id, refused.PointOfSale, (int)ex.Code, ex.Message);
                SaleMetrics.Sale(refused, "paid_no_ticket");
                commitSpan?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "ticket refused");
                throw PaidNoTicketError(refused, payment);
            }

            sale = await transitions.MoveAsync(sale, SaleState.Paid, s => s with { State = SaleState.Committed, Ticket = receipt, LastError = null, LastErrorCode = null }, cancellationToken).ConfigureAwait(false);
            SaleMetrics.Sale(sale, "committed");
        }
        else if (sale.State == SaleState.Committed && sale.HasJournaledPayment)
        {
            payment ??= await journal.GetAsync(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), cancellationToken).ConfigureAwait(false);
        }

        return new PayOutcome(sale, payment);
    }
    // Refusals that the same ticket would meet again: the mapping or the validation of the sale as it is, or a numbering
    // that cannot start. Everything else (store busy, reference data not loaded yet, VEM unreachable) is retried.
    private static bool IsPermanentTicketRefusal(ErrorCode code) =>
        code is ErrorCode.TicketInvalid or ErrorCode.ScriptFaulted or ErrorCode.ScriptNotFound or ErrorCode.NumberingOriginUnknown
            or ErrorCode.UnknownPointOfSale or ErrorCode.InvalidRequest;

    private static MiddlewareException PaidNoTicketError(Sale sale, PaymentRecord? payment) => new(ErrorCode.PaidNoTicket,
        $"The sale is paid but its ticket was refused ({sale.LastErrorCode}: {sale.LastError}). Do not take the payment again: support replays the ticket once the cause is fixed.",
        new { saleId = sale.Id, state = nameof(SaleState.PaidNoTicket), cause = sale.LastErrorCode, reason = sale.LastError, idTransactionIzly = payment?.IdTransactionIzly });

    // The terminal payment of a Paying sale: asked of the terminal when the till pays; otherwise the journal's record. A
    // sale left Paying with no intent on disk (the host died between the two writes) never reached the terminal: after a
    // minute (the till's own call records the intent within milliseconds) it is Open again, nothing taken.
    private async Task<(Sale Sale, PaymentRecord Payment)> TerminalPaymentAsync(Sale sale, bool tillAsksPayment, CancellationToken cancellationToken)
    {
        var terminalPayments = terminals ?? throw new InvalidOperationException("A sale paid through a terminal needs the terminal payments service.");
        var requestId = Guid.Parse(sale.PaymentRequestId!);
        if (tillAsksPayment)
        {
            return (sale, await terminalPayments.PayAsync(sale.PointOfSale, requestId, sale.Id, sale.Terminal!, sale.Pricing!.TotalTtc, cancellationToken).ConfigureAwait(false));
        }

        if (await journal.GetAsync(sale.PointOfSale, requestId, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            return (sale, recorded);
        }

        if (time.GetUtcNow() - sale.UpdatedAt < TimeSpan.FromMinutes(1))
        {
            throw new MiddlewareException(ErrorCode.PaymentOutcomeUnknown, "The terminal payment is starting.", new { requestId = sale.PaymentRequestId, saleId = sale.Id });
        }

        // Claimed in the journal first: a till's retry of this sale.pay now finds the payment refused instead of asking
        // the terminal, and if its retry recorded the intent first, the sale goes on as that payment.
        var (claimed, _) = await terminalPayments.GiveUpNeverAskedAsync(sale.PointOfSale, requestId, sale.Id, sale.Terminal!, sale.Pricing!.TotalTtc, cancellationToken)
            .ConfigureAwait(false);
        return (sale, claimed);
    }

    // Only the till's own sale.pay waits for a debit of this payment already running (it was started by the background
    // pass a moment before, or by the till's earlier call): sale.refresh and the background pass answer what the journal
    // holds (still open) instead of waiting out the debit's budget.
    private Task<PaymentRecord> DebitAsync(Sale sale, bool tillAsksPayment, CancellationToken cancellationToken)
    {
        var identification = sale.Identification ?? throw new InvalidOperationException("A paying Izly sale lost its customer.");
        PaymentMedium medium = identification.Card is { } card ? new CardMedium(card) : new QrMedium(identification.QrText!);
        var command = new PaymentCommand(sale.PointOfSale, Guid.Parse(sale.PaymentRequestId!), sale.Id, sale.Pricing!.TotalTtc, medium, null);
        return payments.DebitAsync(command,
            (request, ct) => channels.InvokeAsync<IPaymentChannelPlugin, DebitResult>(medium.Channel, (p, c) => p.DebitAsync(request, c), ct, payments.DebitTimeout),
            waitIfRunning: tillAsksPayment, cancellationToken);
    }

}
