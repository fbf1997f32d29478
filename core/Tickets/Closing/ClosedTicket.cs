using Middleware.Domain.Tickets;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Closing;

/// <summary>A journaled ticket with where VEM stands on it, for reconciliations.</summary>
/// <param name="Seq">Its journal entry.</param>
/// <param name="PointOfSale">Its point of sale.</param>
/// <param name="Ticket">The ticket as committed.</param>
/// <param name="State">The outbox state (VEM's acceptance); null when the outbox no longer has it.</param>
/// <param name="ErrorCode">VEM's refusal code of a dead ticket.</param>
public sealed record ClosedTicket(long Seq, string PointOfSale, VemTicket Ticket, TicketState? State, string? ErrorCode);
