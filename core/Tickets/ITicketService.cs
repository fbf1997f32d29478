using System.Text.Json.Serialization;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets;

/// <summary>The answer to a till once its ticket is on disk.</summary>
/// <param name="PointOfSale">Point of sale id (<c>5-1-9-8-14</c>).</param>
/// <param name="IdTicketEntete">Sequential per point of sale.</param>
/// <param name="NumeroTicket">The printed number.</param>
/// <param name="Date">The ticket's date.</param>
/// <param name="AlreadyCommitted">True when this requestId had already been committed: the first ticket is returned, no new one made.</param>
public sealed record TicketReceipt(string PointOfSale, string IdTicketEntete, string NumeroTicket, DateTimeOffset Date, bool AlreadyCommitted);

/// <summary>One ticket of the outbox, for status screens, the CLI and replays.</summary>
public sealed record TicketRecord
{
    public required string PointOfSale { get; init; }
    public required string IdTicketEntete { get; init; }
    public required string NumeroTicket { get; init; }
    public required string RequestId { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<TicketState>))]
    public required TicketState State { get; init; }

    public required DateTimeOffset CommittedAt { get; init; }
    public required int Attempts { get; init; }
    public string? ErrorCode { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public int Replays { get; init; }
    public bool OnlineOrder { get; init; }

    /// <summary>The ticket as it will be (or was) sent; null in lists.</summary>
    public VemTicket? Ticket { get; init; }
}

/// <summary>One event in a ticket's life after its commit: an upload outcome or a replay.</summary>
/// <param name="At">When it happened.</param>
/// <param name="Kind"><c>Committed</c>, <c>Integrated</c>, <c>Duplicate</c>, <c>Rejected</c>, <c>TransientFailure</c>, <c>Replayed</c>, <c>ReplayedRemapped</c>.</param>
/// <param name="Code">VEM's error code of a rejection.</param>
/// <param name="Message">VEM's message or the failure's detail.</param>
public sealed record TicketEvent(DateTimeOffset At, string Kind, string? Code, string? Message);

/// <summary>Everything the outbox knows of one ticket: its record with the VEM body, the sale it was mapped from, its history.</summary>
public sealed record TicketDetail(TicketRecord Record, TicketSale Sale, IReadOnlyList<TicketEvent> History);

/// <summary>Outbox counts of one point of sale.</summary>
public sealed record PointOfSaleOutboxStatus(string PointOfSale, int Pending, int Sent, int Dead, DateTimeOffset? OldestPendingAt, double? OldestPendingAgeSeconds, string? LastError)
{
    /// <summary>Paid sales of this point of sale whose ticket was refused before reaching the outbox (an alert).</summary>
    public int PaidNoTicket { get; init; }
}

/// <summary>Outbox counts, overall and per point of sale.</summary>
public sealed record OutboxStatus(int Pending, int Sent, int Dead, double? OldestPendingAgeSeconds, IReadOnlyList<PointOfSaleOutboxStatus> PointsOfSale)
{
    /// <summary>Paid sales whose ticket was refused before reaching the outbox (state PaidNoTicket): each one is money
    /// taken with no ticket, waiting for an operator (<c>sales.unticketed</c>, <c>sale.retryTicket</c>).</summary>
    public int PaidNoTicket { get; init; }
}

/// <summary>Counts the paid sales without a ticket (implemented by the sales, which the outbox does not know).</summary>
public interface IUnticketedSalesCounter
{
    /// <summary>PaidNoTicket sales by point of sale id.</summary>
    Task<IReadOnlyDictionary<string, int>> CountByPointOfSaleAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Tickets: commit (validate, number, map, durable write, in that order), status, and the dead-letter replay.
/// Thread-safe; one instance per host.
/// </summary>
public interface ITicketService
{
    /// <summary>
    /// Commits the ticket of a sale: the returned receipt means it is on disk (synchronous=FULL). Idempotent by
    /// (<paramref name="pointOfSale"/>, <paramref name="requestId"/>): a repeat returns the first receipt. An incoherent
    /// ticket throws <see cref="Domain.Errors.MiddlewareException"/> <c>TicketInvalid</c> naming the rule and line, and
    /// stores nothing (no number consumed).
    /// </summary>
    Task<TicketReceipt> CommitAsync(PointOfSaleId pointOfSale, string requestId, TicketSale sale, CancellationToken cancellationToken);

    /// <summary>One ticket by its <c>idTicketEntete</c>, with its body; null when unknown.</summary>
    Task<TicketRecord?> GetAsync(PointOfSaleId pointOfSale, long idTicketEntete, CancellationToken cancellationToken);

    /// <summary>One ticket with its body, its stored sale and its history (commit, each upload outcome, replays), oldest first; null when unknown.</summary>
    Task<TicketDetail?> GetDetailAsync(PointOfSaleId pointOfSale, long idTicketEntete, CancellationToken cancellationToken);

    /// <summary>One ticket by the till's requestId, with its body; null when unknown.</summary>
    Task<TicketRecord?> GetByRequestIdAsync(PointOfSaleId pointOfSale, string requestId, CancellationToken cancellationToken);

    /// <summary>Counts per state and the age of the oldest pending ticket, for one point of sale or all.</summary>
    Task<OutboxStatus> GetOutboxStatusAsync(PointOfSaleId? pointOfSale, CancellationToken cancellationToken);

    /// <summary>Tickets in <paramref name="state"/> (all when null), oldest first, without bodies.</summary>
    Task<IReadOnlyList<TicketRecord>> ListAsync(PointOfSaleId? pointOfSale, TicketState? state, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a dead (or pending) ticket back in the queue, same numbers. <paramref name="remap"/>: rebuild it from the stored
    /// sale with the current mapper and reference data (after a fix), validated first; else resend as-is.
    /// </summary>
    Task<TicketRecord> ReplayAsync(PointOfSaleId pointOfSale, long idTicketEntete, bool remap, CancellationToken cancellationToken);
}
