namespace Middleware.Benchmarks.Cards;

/// <summary>One command APDU the plugin sent and the card's answer, as recorded for the raw replay.</summary>
internal sealed record Exchange(byte[] Command, byte[] Response);
