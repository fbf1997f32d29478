namespace Middleware.Payments.Journal;

/// <summary>Payment journal settings (configuration section <c>Payments</c>).</summary>
public sealed class PaymentOptions
{
    /// <summary>The journal's SQLite file. Default <c>data/payments.db</c>.</summary>
    public string DatabasePath { get; set; } = Path.Combine("data", "payments.db");

    /// <summary>How long a debit may take before its outcome is treated as unknown: a safety net above the Izly
    /// client's own HTTP timeout. Default 30 s.</summary>
    public TimeSpan DebitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a status query may take. Default 10 s.</summary>
    public TimeSpan StatusTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after the last debit attempt a "no such order" answer from Izly proves that the debit never reached
    /// it (a slower request could still arrive before). Keep it well above <see cref="DebitTimeout"/>. Default 2 minutes.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long the customer has at a payment terminal (card, PIN) for a CB payment or refund taken through it: the
    /// terminal's own wait. The host's call to the terminal plugin gets this plus <c>CardReaders:TerminalMargin</c>, so
    /// a slow PIN entry is an answer, not a faulty plugin. 1 s to 10 min. Default 120 s.
    /// </summary>
    public TimeSpan TerminalPaymentTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How often open payments (pending, unknown) are settled in the background. Default 10 s.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(10);
}
