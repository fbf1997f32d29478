namespace Middleware.Cards.Crypto;

/// <summary>
/// CMAC (NIST SP 800-38B) over a 16-byte (AES, Rb = 0x87) or 8-byte (DES/3DES, Rb = 0x1B) block cipher, with an
/// optional starting IV as DESFire EV1 secure messaging uses it (the standard CMAC starts from a zero IV).
/// </summary>
public static class Cmac
{
    /// <summary>Computes the subkeys K1 and K2 of <paramref name="cipher"/>.</summary>
    public static void Subkeys(BlockCipher cipher, Span<byte> k1, Span<byte> k2)
    {
        var n = cipher.BlockSize;
        byte rb = n == 16 ? (byte)0x87 : (byte)0x1B;
        Span<byte> zero = stackalloc byte[n];
        zero.Clear();
        Span<byte> l = stackalloc byte[n];
        cipher.EncryptBlock(zero, l);
        ShiftLeftXor(l, k1[..n], rb);
        ShiftLeftXor(k1[..n], k2[..n], rb);
        l.Clear();
    }

    /// <summary>The standard CMAC (zero IV) of <paramref name="message"/>: a full block.</summary>
    public static byte[] Compute(BlockCipher cipher, ReadOnlySpan<byte> message)
    {
        var mac = new byte[cipher.BlockSize];
        Span<byte> iv = stackalloc byte[cipher.BlockSize];
        iv.Clear();
        Compute(cipher, iv, message, mac);
        return mac;
    }

    /// <summary>CMAC of <paramref name="message"/> with CBC starting from <paramref name="iv"/>; writes the full
    /// block to <paramref name="mac"/> (DESFire EV1 then uses it as the next IV).</summary>
    public static void Compute(BlockCipher cipher, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        var n = cipher.BlockSize;
        Span<byte> k1 = stackalloc byte[n];
        Span<byte> k2 = stackalloc byte[n];
        Subkeys(cipher, k1, k2);

        var complete = message.Length > 0 && message.Length % n == 0;
        var padded = complete ? message.Length : (message.Length / n + 1) * n;
        var buffer = new byte[padded];
        message.CopyTo(buffer);
        if (!complete)
        {
            buffer[message.Length] = 0x80;
        }

        var last = buffer.AsSpan(padded - n, n);
        Xor(last, complete ? k1 : k2);

        Span<byte> chain = stackalloc byte[n];
        iv.CopyTo(chain);
        var output = new byte[padded];
        cipher.EncryptCbc(buffer, chain, output);
        chain.CopyTo(mac);
        Array.Clear(buffer);
        Array.Clear(output);
        k1.Clear();
        k2.Clear();
    }

    internal static void Xor(Span<byte> target, ReadOnlySpan<byte> other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= other[i];
        }
    }

    private static void ShiftLeftXor(ReadOnlySpan<byte> input, Span<byte> output, byte rb)
    {
        var msb = (input[0] & 0x80) != 0;
        for (var i = 0; i < input.Length; i++)
        {
            var next = i + 1 < input.Length ? input[i + 1] >> 7 : 0;
            output[i] = (byte)((input[i] << 1) | next);
        }

        if (msb)
        {
            output[^1] ^= rb;
        }
    }
}
