using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Api.Izly;
using Middleware.Contracts.Channels;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Payments.Journal;
using Middleware.Tickets.Closing;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Storage;

namespace Middleware.Payments.Reconciliation;

/// <summary>
/// Checks a closing against the other side's records: Izly's operations of each point of sale over the closing's
/// period ([designed] reconciliation list) and VEM's answer to each ticket (the outbox state). Every disagreement is
/// listed with what to do; the result is journaled.
/// </summary>
public sealed class ReconciliationService
{
    /// <summary>Operations debited this long before a closing's period still match its tickets (a ticket committed
    /// after the previous close for a debit made just before it).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(30);

    private const int MaxTickets = 200_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ClosingService closings;
    private readonly JournalService journal;
    private readonly PaymentJournal payments;
    private readonly IIzlyOperations izly;
    private readonly TimeProvider time;
    private readonly ILogger<ReconciliationService> logger;

    internal ReconciliationService(ClosingService closings, JournalService journal, PaymentJournal payments, IIzlyOperations izly, TimeProvider time, ILogger<ReconciliationService> logger)
    {
        this.closings = closings;
        this.journal = journal;
        this.payments = payments;
        this.izly = izly;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Reconciles the closing <paramref name="closingId"/> (a host closing: each point of sale's part).</summary>
    public async Task<ReconciliationReport> RunAsync(string closingId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(closingId) || closingId.Length > 200)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Give a day closing's id (day/host/12).");
        }

        var closing = await closings.GetAsync(closingId, cancellationToken).ConfigureAwait(false)
            ?? throw new MiddlewareException(ErrorCode.InvalidRequest, $"No closing '{closingId}'.");
        if (closing.Period != "day")
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Reconcile day closings (a month is the sum of its days, each reconciled).");
        }

        var parts = new List<ClosingReport>();
        if (closing.Scope == ClosingService.Host)
        {
            foreach (var id in closing.Parts)
            {
                parts.Add(await closings.GetAsync(id, cancellationToken).ConfigureAwait(false)
                    ?? throw new MiddlewareException(ErrorCode.InvalidRequest, $"Closing {closingId} names part {id}, which the journal lacks."));
            }
        }
        else
        {
            parts.Add(closing);
        }

        var sides = new List<PointOfSaleReconciliation>();
        var mismatches = new List<Mismatch>();
        foreach (var part in parts)
        {
            var (side, found) = await ReconcileAsync(part, cancellationToken).ConfigureAwait(false);
            sides.Add(side);
            mismatches.AddRange(found);
        }

        var report = new ReconciliationReport { ClosingId = closingId, CheckedAt = time.GetUtcNow(), PointsOfSale = sides, Mismatches = mismatches };
        var seq = await journal.AppendAsync(JournalKinds.Reconciliation, closing.Scope, closingId, JsonSerializer.Serialize(report, Json), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Closing {Id} reconciled: {Count} mismatches", closingId, mismatches.Count);
        return report with { JournalSeq = seq };
    }

    private async Task<(PointOfSaleReconciliation, List<Mismatch>)> ReconcileAsync(ClosingReport closing, CancellationToken cancellationToken)
    {
        var pos = closing.Scope;
        var to = closing.ClosedAt;
        var from = closing.PeriodStart ?? to - TimeSpan.FromDays(1);
        var reach = from - Margin;
        if (to - reach > TimeSpan.FromDays(31))
        {
            reach = to - TimeSpan.FromDays(31); // the list's longest range
        }

        var tickets = await closings.TicketsSinceAsync(pos, reach, MaxTickets, cancellationToken).ConfigureAwait(false);
        var inClosing = tickets.Where(t => t.Seq > closing.AfterSeq && t.Seq <= closing.ToSeq).ToList();
        var mismatches = new List<Mismatch>();
        foreach (var t in inClosing)
        {
            var what = $"ticket {t.Ticket.NumeroTicket} (#{t.Ticket.IdTicketEntete}, {t.Ticket.CodeEvenement})";
            var amount = t.Ticket.ListeReglements.Sum(p => p.Montant);
            switch (t.State)
            {
                case TicketState.Dead:
                    mismatches.Add(new Mismatch("ticketDead", pos, t.Ticket.IdTicketEntete, amount, $"{what} refused by VEM ({t.ErrorCode})",
                        "the money is taken: fix the cause, then outbox.replay (with --remap when the ticket itself was wrong)"));
                    break;
                case TicketState.Pending:
                    mismatches.Add(new Mismatch("ticketPending", pos, t.Ticket.IdTicketEntete, amount, $"{what} not yet accepted by VEM",
                        "the outbox keeps sending it; check outbox.status if it stays"));
                    break;
                case null:
                    mismatches.Add(new Mismatch("ticketMissing", pos, t.Ticket.IdTicketEntete, amount, $"{what} is journaled but gone from the outbox",
                        "run journal.verify; replay it from the journal's body with VEM support"));
                    break;
            }
        }

        var vt = Izly(inClosing, "VT");
        var side = new PointOfSaleReconciliation
        {
            PointOfSale = pos,
            ClosingId = closing.Id,
            From = from,
            To = to,
            IzlyOperations = 0,
            IzlyTotal = 0,
            IzlyRefunds = 0,
            IzlyRefundTotal = 0,
            IzlyTickets = vt.Count,
            IzlyTicketTotal = vt.Sum(t => t.Payment.Montant),
            VemAccepted = inClosing.Count(t => t.State == TicketState.Sent),
            VemPending = inClosing.Count(t => t.State == TicketState.Pending),
            VemRefused = inClosing.Count(t => t.State == TicketState.Dead),
        };

        IReadOnlyList<IzlyOperation> operations;
        try
        {
            operations = await izly.ListOperationsAsync(PointOfSaleId.Parse(pos), reach, to, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IzlyUnavailableException or IzlyRefusedException or ArgumentException)
        {
            mismatches.Add(new Mismatch("izlyUnavailable", pos, closing.Id, null, $"Izly's list could not be read: {ex.Message}", "reconcile again later"));
            return (side with { IzlyError = ex.Message }, mismatches);
        }

        var ours = (await payments.ListCreatedBetweenAsync(pos, reach.ToUniversalTime(), to.ToUniversalTime().AddMinutes(1), MaxTickets, cancellationToken).ConfigureAwait(false))
            .ToDictionary(p => p.ClientOrderId, StringComparer.Ordinal);
        var saleTickets = Izly(tickets, "VT").ToLookup(t => t.Payment.IdTransactionIzly, StringComparer.Ordinal);
        var refundTickets = Izly(tickets, "RB").ToLookup(t => t.Payment.IdTransactionIzly, StringComparer.Ordinal);
        var taken = operations.Where(o => o.Status is IzlyOperationStatus.Completed or IzlyOperationStatus.Refunded or IzlyOperationStatus.Cancelled).ToList();
        var byTransaction = taken.ToDictionary(o => o.IdTransactionIzly, StringComparer.Ordinal);
        var inPeriod = taken.Where(o => o.CreatedAt >= from && o.CreatedAt < to).ToList();
        // Refunds made in the period, whenever their payment was: a back-office refund days later belongs here.
        var refunded = taken.Where(o => o.Status is not IzlyOperationStatus.Completed && (o.RefundedAt ?? o.UpdatedAt) is var at && at >= from && at < to).ToList();
        side = side with
        {
            IzlyOperations = inPeriod.Count,
            IzlyTotal = inPeriod.Sum(o => o.Amount),
            IzlyRefunds = refunded.Count,
            IzlyRefundTotal = refunded.Sum(o => o.Amount),
        };

        foreach (var op in inPeriod)
        {
            var ticket = saleTickets[op.IdTransactionIzly].FirstOrDefault();
            if (ticket.Closed is null)
            {
                ours.TryGetValue(op.ClientOrderId, out var payment);
                mismatches.Add(payment is { State: not PaymentState.Approved and not PaymentState.Cancelled } || (payment is null && op.Means == "izlypay")
                    ? new Mismatch("lateConfirmation", pos, op.IdTransactionIzly, op.Amount,
                        $"Izly took {op.Amount} EUR ({op.Means}, order {op.ClientOrderId}) after the middleware had given up on it ({payment?.State.ToString() ?? "unknown to the journal"}){Sale(payment)}",
                        "the customer was told the payment failed: refund it at Izly, or sell it (sale.retryTicket after settling the payment) if the customer took the meal")
                    : new Mismatch("paidWithoutTicket", pos, op.IdTransactionIzly, op.Amount,
                        $"Izly took {op.Amount} EUR ({op.Means}, order {op.ClientOrderId}) and no ticket carries it{Sale(payment)}",
                        "sales.unticketed lists it: fix the cause, then sale.retryTicket"));
            }
            else if (ticket.Payment.Montant != op.Amount)
            {
                mismatches.Add(new Mismatch("amountMismatch", pos, op.IdTransactionIzly, op.Amount,
                    $"Izly took {op.Amount} EUR; ticket {ticket.Closed.Ticket.NumeroTicket} says {ticket.Payment.Montant}", "ask Izly support; the ticket is final"));
            }
        }

        foreach (var op in refunded.Where(o => !refundTickets.Contains(o.IdTransactionIzly)))
        {
            mismatches.Add(new Mismatch("refundNotSent", pos, op.IdTransactionIzly, -op.Amount,
                $"Izly refunded {op.Amount} EUR (order {op.ClientOrderId}) and VEM has no refund ticket for it",
                "payment.cancel again with the same requestId commits the refund ticket"));
        }

        // A ticket committed long after its payment (a sale.retryTicket the next day, a refund finished by recovery):
        // its operation is older than the list read; ask Izly for the days of those payments before calling it unpaid.
        var unmatched = vt.Concat(Izly(inClosing, "RB")).Select(t => t.Payment.IdTransactionIzly!).Where(id => !byTransaction.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
        if (unmatched.Count > 0)
        {
            var older = await payments.ListByTransactionsAsync(pos, unmatched, cancellationToken).ConfigureAwait(false);
            if (older.Count > 0 && older.Min(p => p.CreatedAt) - Margin is var since && since < reach)
            {
                since = since < to - TimeSpan.FromDays(31) ? to - TimeSpan.FromDays(31) : since;
                try
                {
                    foreach (var op in await izly.ListOperationsAsync(PointOfSaleId.Parse(pos), since, reach, cancellationToken).ConfigureAwait(false))
                    {
                        if (op.Status is IzlyOperationStatus.Completed or IzlyOperationStatus.Refunded or IzlyOperationStatus.Cancelled)
                        {
                            byTransaction.TryAdd(op.IdTransactionIzly, op);
                        }
                    }
                }
                catch (Exception ex) when (ex is IzlyUnavailableException or IzlyRefusedException or ArgumentException)
                {
                    mismatches.Add(new Mismatch("izlyUnavailable", pos, closing.Id, null, $"Izly's list of the older payments could not be read: {ex.Message}", "reconcile again later"));
                }
            }
        }

        foreach (var t in vt.Where(t => !byTransaction.ContainsKey(t.Payment.IdTransactionIzly ?? "")))
        {
            mismatches.Add(new Mismatch("ticketWithoutPayment", pos, t.Closed.Ticket.IdTicketEntete, t.Payment.Montant,
                $"ticket {t.Closed.Ticket.NumeroTicket} says Izly transaction {t.Payment.IdTransactionIzly} paid {t.Payment.Montant} EUR; Izly has no such payment",
                "ask Izly support with the transaction id; a VEM correction may be needed"));
        }

        foreach (var t in Izly(inClosing, "RB").Where(t => !byTransaction.TryGetValue(t.Payment.IdTransactionIzly ?? "", out var op) || op.Status == IzlyOperationStatus.Completed))
        {
            mismatches.Add(new Mismatch("refundNotAtIzly", pos, t.Closed.Ticket.IdTicketEntete, t.Payment.Montant,
                $"refund ticket {t.Closed.Ticket.NumeroTicket} for Izly transaction {t.Payment.IdTransactionIzly}, which Izly has not refunded",
                "check payment.status of the refunded sale; ask Izly support"));
        }

        return (side, mismatches);
    }

    private static string Sale(PaymentRecord? payment) => payment?.SaleId is { } id ? string.Create(CultureInfo.InvariantCulture, $", sale {id}") : "";

    private static List<(ClosedTicket Closed, VemPayment Payment)> Izly(IEnumerable<ClosedTicket> tickets, string evenement) =>
        [.. tickets.Where(t => t.Ticket.CodeEvenement == evenement)
            .SelectMany(t => t.Ticket.ListeReglements.Where(p => p.CodeReglement == CodeReglement.Izly && p.IdTransactionIzly is not null).Select(p => (t, p)))];
}
