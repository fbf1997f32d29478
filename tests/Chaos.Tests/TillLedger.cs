using System.Collections.Concurrent;

namespace Middleware.Chaos.Tests;

/// <summary>What kind of sale a till plays.</summary>
internal enum SaleKind
{
    /// <summary>Izly by QR code.</summary>
    Qr,

    /// <summary>The whole sale on the till's own card terminal (codeReglement 4).</summary>
    Cb,

    /// <summary>An IzlyPay web payment the customer confirms on Izly's pages.</summary>
    IzlyPay,

    /// <summary>A QR sale whose payment the cashier then refunds (<c>payment.cancel</c>).</summary>
    QrRefund,

    /// <summary>Izly by card: a virtual DESFire card put on the till's vpcd reader, read through pcscd by the host.</summary>
    Card,
}

/// <summary>One mutating call and the answer the till finally got (after any retries with the same requestId).</summary>
internal sealed record CallRecord(string PointOfSale, string Method, IReadOnlyDictionary<string, object?> Parameters, Guid RequestId, string Answer);

/// <summary>One sale as the till saw it.</summary>
internal sealed class SaleRecord(string pointOfSale, SaleKind kind)
{
    public string PointOfSale { get; } = pointOfSale;
    public SaleKind Kind { get; } = kind;
    public string? SaleId { get; set; }

    /// <summary>Every payment attempt's requestId (Izly debits and web payments): the sandbox knows them as clientOrderIds.</summary>
    public List<Guid> PaymentRequestIds { get; } = [];

    /// <summary>The state the till last saw: Committed, Cancelled, or a note of why it stopped.</summary>
    public string? FinalState { get; set; }
    public string? PaymentMethod { get; set; }
    public string? IdTicketEntete { get; set; }
    public string? NumeroTicket { get; set; }
    public decimal TotalTtc { get; set; }
    public string? IdTransactionIzly { get; set; }
    public Guid? RefundedPayment { get; set; }

    /// <summary>The payment whose refund the till was told cannot be made (1404).</summary>
    public Guid? RefundRefused { get; set; }
    public List<string> Events { get; } = [];
}

/// <summary>Everything the tills saw, for the reconciliation against the sandbox's records.</summary>
internal sealed class TillLedger
{
    public ConcurrentQueue<CallRecord> Calls { get; } = new();
    public ConcurrentQueue<SaleRecord> Sales { get; } = new();

    /// <summary>What a till saw that must never happen (an internal error, a paid sale without its ticket...).</summary>
    public ConcurrentQueue<string> Anomalies { get; } = new();

    /// <summary>Outcomes a till handled as a real till would (a refused identification, a 1402 then settled...), counted by kind.</summary>
    public ConcurrentDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    public void Count(string outcome) => Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    /// <summary>The clientOrderId the middleware sends Izly for a payment (point of sale and the payment's requestId).</summary>
    public static string ClientOrderId(string pointOfSale, Guid requestId) => $"{pointOfSale}-{requestId:N}";
}
