using Middleware.Payments.Journal;

namespace Middleware.Payments.Sales;

/// <summary>What a till hears after asking to pay.</summary>
/// <param name="Sale">The sale after the payment (Committed when all went well).</param>
/// <param name="Payment">The journal's record of the payment (null for CB).</param>
public sealed record PayOutcome(Sale Sale, PaymentRecord? Payment);
