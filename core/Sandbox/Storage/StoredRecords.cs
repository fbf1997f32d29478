using Middleware.Domain.Tickets;

namespace Middleware.Sandbox.Storage;

/// <summary>A ticket the sandbox accepted (§4), as received.</summary>
public sealed record StoredTicket(string AppId, string IdTicketEntete, string NumeroTicket, bool VersCommandeEnLigne, DateTimeOffset ReceivedAt, VemTicket Ticket, string Json);

/// <summary>An Izly debit (§5). Status 1 completed, 5 cancelled.</summary>
public sealed record StoredTransaction(string IdTransactionIzly, string AppId, string ClientOrderId, string Identifier, long AmountCents, int Status,
    long BalanceAfterCents, DateTimeOffset OperationDate, string Means, string? IdSupport, string? SamId);

/// <summary>An IzlyPay web payment (§8). Status 0 waiting, 1 completed, 3 refused, 5 cancelled.</summary>
public sealed record StoredWebPayment(string OperationId, string AppId, string ClientOrderId, long AmountCents, int Status, string? Identifier,
    string? CallbackUrl, int? CallbackHttpStatus, string? ErrorCode);

/// <summary>A Whiz order (§9).</summary>
public sealed record StoredWhizOrder(long IdCommande, string AppId, string NumeroTicket, int NumeroAppel, string Statut, string Json);
