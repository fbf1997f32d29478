namespace Middleware.Plugins.Tetra.Link;

/// <summary>The bounds of the Concert link.</summary>
/// <param name="StepTimeout">Each protocol step (an ACK, a whole frame, the EOT): 3 s by default (<c>cards.md</c> §7).</param>
/// <param name="Retries">How many times a frame is sent again after a NAK or a missing ACK (ENQ likewise), and a bad
/// frame asked again with NAK; 3 by default, so 4 attempts in all.</param>
/// <param name="MaxMessageLength">The longest message accepted in a frame: a longer one is garbage and NAKed.</param>
internal sealed record ConcertLinkOptions(TimeSpan StepTimeout, int Retries, int MaxMessageLength = 256);
