namespace Middleware.VirtualCards.Crypto;

/// <summary>
/// NXP AN10922 AES-128 key diversification, as cards.md §2 states it (written for the personalisation side):
/// D = 0x01 ‖ M, padded with 0x80 00.. to 32 bytes and the last 16 bytes XORed with K2 when shorter, with K1 when
/// exactly 32; the key is the last block of AES-CBC(master, IV 0, D).
/// </summary>
public static class An10922
{
    /// <summary>Diversifies <paramref name="masterKey"/> (16 bytes) with the input <paramref name="m"/> (1 to 31 bytes).</summary>
    public static byte[] DiversifyAes128(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> m)
    {
        if (m.Length is < 1 or > 31)
        {
            throw new ArgumentException("AN10922 AES-128 takes 1 to 31 bytes of diversification input.", nameof(m));
        }

        var cipher = new AesCardCipher(masterKey);
        var (k1, k2) = CardMac.Subkeys(cipher);
        var d = new byte[32];
        d[0] = 0x01;
        m.CopyTo(d.AsSpan(1));
        var padded = m.Length + 1 < 32;
        if (padded)
        {
            d[m.Length + 1] = 0x80;
        }

        var subkey = padded ? k2 : k1;
        for (var i = 0; i < 16; i++)
        {
            d[16 + i] ^= subkey[i];
        }

        var encrypted = cipher.EncryptCbc(d, new byte[16]);
        return encrypted[16..];
    }

    /// <summary>The DESFire input of cards.md §2: UID (7 bytes) ‖ AID (3 bytes, LSB first) ‖ ASCII <c>CROUS</c>.</summary>
    public static byte[] DesfireInput(ReadOnlySpan<byte> uid, uint aid) =>
        [.. uid, (byte)aid, (byte)(aid >> 8), (byte)(aid >> 16), (byte)'C', (byte)'R', (byte)'O', (byte)'U', (byte)'S'];
}
