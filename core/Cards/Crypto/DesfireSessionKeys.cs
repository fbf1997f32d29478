namespace Middleware.Cards.Crypto;

/// <summary>DESFire session key derivation from the two authentication randoms (RndA from the reader, RndB from the card).</summary>
public static class DesfireSessionKeys
{
    /// <summary>The random's length for a key type: 8 bytes for DES and 2K3DES, 16 for 3K3DES and AES.</summary>
    public static int RandomLength(DesfireKeyType type) => type is DesfireKeyType.Des or DesfireKeyType.TwoKey3Des ? 8 : 16;

    /// <summary>
    /// The session key:
    /// DES <c>A[0..4] ‖ B[0..4]</c>;
    /// 2K3DES <c>A[0..4] ‖ B[0..4] ‖ A[4..8] ‖ B[4..8]</c>;
    /// 3K3DES <c>A[0..4] ‖ B[0..4] ‖ A[6..10] ‖ B[6..10] ‖ A[12..16] ‖ B[12..16]</c>;
    /// AES <c>A[0..4] ‖ B[0..4] ‖ A[12..16] ‖ B[12..16]</c>.
    /// (A 2K3DES key whose halves are equal is a DES key: derive with <see cref="DesfireKeyType.Des"/>.)
    /// </summary>
    public static byte[] Derive(DesfireKeyType type, ReadOnlySpan<byte> rndA, ReadOnlySpan<byte> rndB)
    {
        var n = RandomLength(type);
        if (rndA.Length != n || rndB.Length != n)
        {
            throw new ArgumentException($"{type} authentication randoms are {n} bytes.");
        }

        int[] offsets = type switch
        {
            DesfireKeyType.Des => [0],
            DesfireKeyType.TwoKey3Des => [0, 4],
            DesfireKeyType.ThreeKey3Des => [0, 6, 12],
            _ => [0, 12],
        };
        var key = new byte[offsets.Length * 8];
        for (var i = 0; i < offsets.Length; i++)
        {
            rndA.Slice(offsets[i], 4).CopyTo(key.AsSpan(i * 8));
            rndB.Slice(offsets[i], 4).CopyTo(key.AsSpan(i * 8 + 4));
        }

        return key;
    }

    /// <summary>Rotates <paramref name="value"/> left by one byte (<c>rotl</c> of the authentication).</summary>
    public static byte[] RotateLeft(ReadOnlySpan<byte> value)
    {
        var result = new byte[value.Length];
        value[1..].CopyTo(result);
        result[^1] = value[0];
        return result;
    }
}
