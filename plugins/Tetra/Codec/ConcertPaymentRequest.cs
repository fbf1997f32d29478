namespace Middleware.Plugins.Tetra.Codec;

/// <summary>A Concert E+ card payment as sent (<c>cards.md</c> §7).</summary>
/// <param name="TillNumber">0 to 99.</param>
/// <param name="AmountCents">1 to 99 999 999.</param>
/// <param name="Type">Debit or credit.</param>
/// <param name="PrivateData">10 printable characters the terminal echoes: ties the answer to this request.</param>
/// <param name="FullAnswer">Ask for the full answer, with the terminal's 55-character report.</param>
internal sealed record ConcertPaymentRequest(int TillNumber, long AmountCents, ConcertTransactionType Type, string PrivateData, bool FullAnswer);
