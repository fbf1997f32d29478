using System.Text.Json.Serialization;

namespace Middleware.Payments.Reconciliation;

/// <summary>A closing checked against Izly's operations and VEM's acceptance of each ticket.</summary>
public sealed record ReconciliationReport
{
    [JsonPropertyName("closingId")] public required string ClosingId { get; init; }
    [JsonPropertyName("checkedAt")] public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>One per point of sale of the closing.</summary>
    [JsonPropertyName("pointsOfSale")] public required IReadOnlyList<PointOfSaleReconciliation> PointsOfSale { get; init; }

    /// <summary>Every mismatch of every point of sale.</summary>
    [JsonPropertyName("mismatches")] public required IReadOnlyList<Mismatch> Mismatches { get; init; }

    /// <summary>True when nothing needs an action.</summary>
    [JsonPropertyName("matched")] public bool Matched => Mismatches.Count == 0;

    /// <summary>The reconciliation's own journal entry.</summary>
    [JsonPropertyName("journalSeq")] public long? JournalSeq { get; init; }
}

/// <summary>One point of sale's side by side: Izly's operations over the closing's period, and the closing's tickets.</summary>
public sealed record PointOfSaleReconciliation
{
    [JsonPropertyName("pointOfSale")] public required string PointOfSale { get; init; }
    [JsonPropertyName("closingId")] public required string ClosingId { get; init; }
    [JsonPropertyName("from")] public required DateTimeOffset From { get; init; }
    [JsonPropertyName("to")] public required DateTimeOffset To { get; init; }

    /// <summary>Izly operations created in the period with the money taken (completed, or refunded since).</summary>
    [JsonPropertyName("izlyOperations")] public required int IzlyOperations { get; init; }

    [JsonPropertyName("izlyTotal")] public required decimal IzlyTotal { get; init; }

    /// <summary>Izly refunds (the operations of the period refunded).</summary>
    [JsonPropertyName("izlyRefunds")] public required int IzlyRefunds { get; init; }

    [JsonPropertyName("izlyRefundTotal")] public required decimal IzlyRefundTotal { get; init; }

    /// <summary>The closing's Izly (codeReglement 9) sale tickets and their total.</summary>
    [JsonPropertyName("izlyTickets")] public required int IzlyTickets { get; init; }

    [JsonPropertyName("izlyTicketTotal")] public required decimal IzlyTicketTotal { get; init; }

    /// <summary>The closing's tickets by VEM's answer: accepted, waiting, refused.</summary>
    [JsonPropertyName("vemAccepted")] public required int VemAccepted { get; init; }

    [JsonPropertyName("vemPending")] public required int VemPending { get; init; }

    [JsonPropertyName("vemRefused")] public required int VemRefused { get; init; }

    /// <summary>Null when Izly's list could be read; else why not (the Izly side is then not checked).</summary>
    [JsonPropertyName("izlyError")] public string? IzlyError { get; init; }
}

/// <summary>
/// Something the two sides disagree on, with what to do. <see cref="Kind"/>: <c>paidWithoutTicket</c>,
/// <c>lateConfirmation</c> (an IzlyPay payment confirmed after the till was told it failed), <c>ticketWithoutPayment</c>,
/// <c>amountMismatch</c>, <c>refundNotSent</c> (refunded at Izly, no refund ticket), <c>refundNotAtIzly</c>,
/// <c>ticketDead</c> (VEM refused it), <c>ticketPending</c> (VEM has not accepted it yet), <c>ticketMissing</c> (the
/// outbox lost it), <c>izlyUnavailable</c>.
/// </summary>
public sealed record Mismatch(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("pointOfSale")] string PointOfSale,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("amount")] decimal? Amount,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("action")] string Action);
