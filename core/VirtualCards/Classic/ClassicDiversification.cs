using Middleware.VirtualCards.Crypto;

namespace Middleware.VirtualCards.Classic;

/// <summary>The Classic key A of cards.md §2, for personalisation: AN10922 with M = UID (4 or 7 bytes) ‖ sector ‖
/// ASCII <c>CROUS</c>; key A is the first 6 bytes.</summary>
public static class ClassicDiversification
{
    /// <summary>The diversification input M.</summary>
    public static byte[] Input(ReadOnlySpan<byte> uid, byte sector) =>
        [.. uid, sector, (byte)'C', (byte)'R', (byte)'O', (byte)'U', (byte)'S'];

    /// <summary>Key A of <paramref name="sector"/> for the card <paramref name="uid"/> from the SAM's Classic master key.</summary>
    public static byte[] KeyA(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> uid, byte sector)
    {
        var full = An10922.DiversifyAes128(masterKey, Input(uid, sector));
        var keyA = full[..6];
        Array.Clear(full);
        return keyA;
    }
}
