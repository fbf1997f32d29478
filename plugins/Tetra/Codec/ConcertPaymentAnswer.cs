using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Tetra.Codec;

/// <summary>The terminal's answer, checked against its request.</summary>
/// <param name="Outcome">0 accepted, 7 refused, 9 not completed.</param>
/// <param name="AmountCents">The amount the terminal reports.</param>
/// <param name="Mode">The payment mode digit the terminal used.</param>
/// <param name="Report">The full answer's report, card numbers masked; null in a short answer or when blank.</param>
internal sealed record ConcertPaymentAnswer(TerminalPaymentOutcome Outcome, long AmountCents, char Mode, string? Report);
