namespace Middleware.Payments.Journal;

/// <summary>Where a payment stands. Only <see cref="Pending"/> and <see cref="Unknown"/> may still change by themselves
/// (recovery); <see cref="Approved"/> may become <see cref="Cancelled"/> by an explicit cancellation.</summary>
public enum PaymentState
{
    /// <summary>The intent is on disk; Izly (or the terminal) may or may not have been called yet.</summary>
    Pending,

    /// <summary>Izly debited the holder.</summary>
    Approved,

    /// <summary>Izly refused, or proved it never received the debit.</summary>
    Refused,

    /// <summary>The answer was lost (timeout, crash): recovery asks Izly by client order id; never paid again.</summary>
    Unknown,

    /// <summary>Approved, then refunded the same day.</summary>
    Cancelled,
}

/// <summary>One payment of the journal.</summary>
public sealed record PaymentRecord
{
    public required string PointOfSale { get; init; }
    public required string RequestId { get; init; }
    public required string ClientOrderId { get; init; }
    public string? SaleId { get; init; }
    public required string Channel { get; init; }
    public required decimal Amount { get; init; }

    /// <summary>The medium as the channel needs it again for the ticket (card identity or base64 QR), JSON.</summary>
    public string? MediumJson { get; init; }
    public required PaymentState State { get; init; }
    public string? IdTransactionIzly { get; init; }
    public decimal? BalanceAfter { get; init; }

    /// <summary>Stable error code (Middleware.Domain.Errors.ErrorCode) when refused or unknown.</summary>
    public int? ErrorCode { get; init; }
    public string? ErrorDetail { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When Izly was last called for this payment (debit or status query).</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When a refund of this approved payment was asked of Izly and its outcome is not recorded yet (a crash or a
    /// lost answer in between): recovery asks Izly whether it refunded. Null otherwise.</summary>
    public DateTimeOffset? RefundRequestedAt { get; init; }

    /// <summary>A terminal (CB) payment: the terminal's report (authorisation data, no full card number), for the card
    /// receipt the till prints.</summary>
    public string? TerminalReport { get; init; }

    /// <summary>Who settled this payment by hand (<c>payment.resolve</c> with an outcome read on a terminal's receipt);
    /// null when the terminal or Izly answered.</summary>
    public string? ResolvedBy { get; init; }

    public bool IsFinal => State is PaymentState.Approved or PaymentState.Refused or PaymentState.Cancelled;
}
