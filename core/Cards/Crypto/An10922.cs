using System.Security.Cryptography;

namespace Middleware.Cards.Crypto;

/// <summary>
/// NXP AN10922 AES-128 key diversification, exactly as <c>cards.md</c> §2 states: <c>D = 0x01 ‖ M</c>; shorter than
/// 32 bytes → append <c>0x80</c> then zeros up to 32 bytes and XOR the last 16 bytes with CMAC subkey K2; exactly 32 →
/// XOR them with K1; the diversified key is the last block of AES-CBC(master, IV = 0, D).
/// </summary>
/// <remarks>Unlike a plain CMAC of <c>0x01 ‖ M</c>, a 16-byte <c>D</c> is still padded to 32 bytes (and XORed with K2).</remarks>
public static class An10922
{
    /// <summary>The longest diversification input: D is at most 32 bytes.</summary>
    public const int MaxInputLength = 31;

    /// <summary>Diversifies the AES-128 <paramref name="masterKey"/> with <paramref name="input"/> (M, 1 to 31 bytes) into <paramref name="result"/> (16 bytes).</summary>
    public static void DiversifyAes128(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> input, Span<byte> result)
    {
        if (masterKey.Length != 16)
        {
            throw new ArgumentException("The AN10922 AES master key is 16 bytes.", nameof(masterKey));
        }

        if (input.Length is < 1 or > MaxInputLength)
        {
            throw new ArgumentException($"The diversification input is 1 to {MaxInputLength} bytes, not {input.Length}.", nameof(input));
        }

        if (result.Length < 16)
        {
            throw new ArgumentException("The result buffer is 16 bytes.", nameof(result));
        }

        using var cipher = BlockCipher.Aes(masterKey);
        Span<byte> k1 = stackalloc byte[16];
        Span<byte> k2 = stackalloc byte[16];
        Cmac.Subkeys(cipher, k1, k2);

        Span<byte> d = stackalloc byte[32];
        d.Clear();
        d[0] = 0x01;
        input.CopyTo(d[1..]);
        var length = input.Length + 1;
        if (length < 32)
        {
            d[length] = 0x80;
            Cmac.Xor(d[16..], k2);
        }
        else
        {
            Cmac.Xor(d[16..], k1);
        }

        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        Span<byte> output = stackalloc byte[32];
        cipher.EncryptCbc(d, iv, output);
        output[16..].CopyTo(result);
        CryptographicOperations.ZeroMemory(output);
        CryptographicOperations.ZeroMemory(d);
        CryptographicOperations.ZeroMemory(k1);
        CryptographicOperations.ZeroMemory(k2);
        iv.Clear();
    }

    /// <summary>Diversifies into a new 16-byte array (the caller wipes it after use).</summary>
    public static byte[] DiversifyAes128(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> input)
    {
        var result = new byte[16];
        DiversifyAes128(masterKey, input, result);
        return result;
    }
}
