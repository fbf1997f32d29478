using System.Text.Json.Serialization;
using Middleware.Contracts.Readers;
using Middleware.Payments.Customers;
using Middleware.Scripting.Globals;
using Middleware.Tickets;

namespace Middleware.Payments.Sales;

/// <summary>Where a sale stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SaleState>))]
public enum SaleState
{
    /// <summary>Basket and customer may change; no payment in progress.</summary>
    Open,

    /// <summary>A payment was attempted; its outcome is not final yet (or unknown).</summary>
    Paying,

    /// <summary>Paid; the ticket is not committed yet (it will be, at the latest at the next recovery pass).</summary>
    Paid,

    /// <summary>Paid and its ticket is on disk in the outbox.</summary>
    Committed,

    /// <summary>Abandoned before any payment.</summary>
    Cancelled,

    /// <summary>
    /// Paid, but its ticket could not be built: the mapping or the validation refused it, or the numbering of its point
    /// of sale cannot start. The money is taken; the sale is an alert (logs, <c>outbox.status</c>, <c>sale.get</c>) and
    /// waits for an operator to fix the cause and replay it (<c>sale.retryTicket</c>). Never retried by itself.
    /// </summary>
    PaidNoTicket,

    /// <summary>
    /// A committed sale whose refund was asked (<c>payment.cancel</c>): the refund is being made, or is made and its
    /// refund ticket (RB) is not in the outbox yet. Durable before Izly or the terminal is asked, so a crash leaves a
    /// sale the recovery pass finishes: the refund ticket once the journal shows the refund, or Committed again when the
    /// refund was never made.
    /// </summary>
    Refunding,

    /// <summary>Refunded, and its refund ticket (RB, <see cref="Sale.RefundTicket"/>) is on disk in the outbox.</summary>
    Refunded,
}

/// <summary>How the customer identified: card (read from a reader) or QR code.</summary>
public sealed record SaleIdentification
{
    public required string Channel { get; init; }
    public required Contracts.Channels.RightHolder Holder { get; init; }
    public CardIdentity? Card { get; init; }
    public string? QrText { get; init; }
    public required CustomerView Customer { get; init; }
    public required CustomerProfile Profile { get; init; }
}

/// <summary>One sale held by the middleware from open to committed ticket (design.md: "the sale is the middleware's").</summary>
public sealed record Sale
{
    public required string Id { get; init; }
    public required string PointOfSale { get; init; }
    public required string OpenRequestId { get; init; }
    public required SaleState State { get; init; }
    public Basket Basket { get; init; } = new();

    /// <summary>1 on site (default), 2 take-away.</summary>
    public int Distribution { get; init; } = 1;

    /// <summary>The profile priced when nobody identified (anonymous guest, or what the till set).</summary>
    public CustomerProfile? AnonymousProfile { get; init; }

    public SaleIdentification? Identification { get; init; }
    public PricingResult? Pricing { get; init; }

    /// <summary>izly, cb or izlypay once a payment started.</summary>
    public string? PaymentMethod { get; init; }

    /// <summary>The till's request id of the payment (the journal's key, and the ticket's idempotency key).</summary>
    public string? PaymentRequestId { get; init; }

    /// <summary>A CB payment taken through a payment terminal: its name (from the point of sale's configuration when the
    /// payment started). Null for a CB payment the till only declares.</summary>
    public string? Terminal { get; init; }

    /// <summary>IzlyPay: the operation id of the web payment.</summary>
    public string? WebOperationId { get; init; }

    public TicketReceipt? Ticket { get; init; }

    /// <summary>The refund ticket (RB) of a refunded sale.</summary>
    public TicketReceipt? RefundTicket { get; init; }

    /// <summary>A CB refund the till declared (taken on its own terminal): who declared it (account, till, connection),
    /// for the audit; null for a refund Izly or the host's terminal made.</summary>
    public string? RefundDeclaredBy { get; init; }

    /// <summary>Last error of a background step (ticket commit after payment), for support.</summary>
    public string? LastError { get; init; }

    /// <summary>The till error code of <see cref="LastError"/> (e.g. 1500 for a refused ticket), when there is one.</summary>
    public int? LastErrorCode { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Bumped by every write (<see cref="SaleStore.TryUpdateAsync"/>): a writer that read an older version loses,
    /// so two settles racing on one sale cannot write back a stale copy over the other's change.</summary>
    public long Version { get; init; }

    /// <summary>Whether the payment is in the payment journal: every payment but a CB one the till only declares.</summary>
    [JsonIgnore]
    public bool HasJournaledPayment => PaymentRequestId is not null && (PaymentMethod != "cb" || Terminal is not null);

    /// <summary>The profile the sale is priced for.</summary>
    [JsonIgnore]
    public CustomerProfile Profile => Identification?.Profile ?? AnonymousProfile ?? CustomerProfile.AnonymousGuest;
}
