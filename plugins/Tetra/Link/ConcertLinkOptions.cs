namespace Middleware.Plugins.Tetra.Link;

/// <summary>The bounds of the Concert link.</summary>
/// <param name="StepTimeout">Each protocol step (an ACK, a whole frame, the EOT): 3 s by default (<c>cards.md</c> §7).</param>
/// <param name="Retries">How many times the request frame is sent again after a NAK or a missing ACK (ENQ likewise),
/// and a bad answer frame asked again with NAK: 3 by default, so up to 3 resends and 4 sends in all, fewer when the
/// exchange's deadline (<see cref="ExchangeDeadline"/>) comes first.</param>
/// <param name="MaxMessageLength">The longest message accepted in a frame: a longer one is garbage and NAKed.</param>
internal sealed record ConcertLinkOptions(TimeSpan StepTimeout, int Retries, int MaxMessageLength = 256);
