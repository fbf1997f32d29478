namespace Middleware.Benchmarks.Cards;

/// <summary>
/// A card's random source that always gives the same bytes: the card's challenge (RndB) is then the same at every read,
/// so the recorded mutual authentication replays and its answers can be checked byte for byte. Never for real cards.
/// </summary>
internal static class FixedRandom
{
    public static byte[] Bytes(int count) => Enumerable.Range(1, count).Select(i => (byte)(i * 7)).ToArray();
}
