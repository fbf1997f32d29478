using System.Security.Cryptography;

namespace Middleware.VirtualCards.Crypto;

/// <summary>The key types a DESFire EV1 key can have.</summary>
public enum DesfireKeyType
{
    /// <summary>Single DES (8 bytes, or 16 with both halves equal).</summary>
    Des,

    /// <summary>Two-key 3DES (16 bytes).</summary>
    TwoKey3Des,

    /// <summary>Three-key 3DES (24 bytes).</summary>
    ThreeKey3Des,

    /// <summary>AES-128 (16 bytes).</summary>
    Aes,
}

/// <summary>A block cipher of the card: AES from the platform, DES and 3DES from <see cref="CardDes"/>.</summary>
internal abstract class CardCipher
{
    public abstract int BlockSize { get; }

    public abstract void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output);

    public abstract void DecryptBlock(ReadOnlySpan<byte> input, Span<byte> output);

    public static CardCipher Create(DesfireKeyType type, ReadOnlySpan<byte> key) => type switch
    {
        DesfireKeyType.Aes => new AesCardCipher(key),
        _ => new TripleDesCardCipher(key),
    };

    /// <summary>CBC encryption from <paramref name="iv"/>; <paramref name="iv"/> ends as the last ciphertext block.</summary>
    public byte[] EncryptCbc(ReadOnlySpan<byte> data, Span<byte> iv)
    {
        RequireBlocks(data.Length);
        var output = new byte[data.Length];
        Span<byte> block = stackalloc byte[BlockSize];
        for (var offset = 0; offset < data.Length; offset += BlockSize)
        {
            for (var i = 0; i < BlockSize; i++)
            {
                block[i] = (byte)(data[offset + i] ^ iv[i]);
            }

            EncryptBlock(block, output.AsSpan(offset, BlockSize));
            output.AsSpan(offset, BlockSize).CopyTo(iv);
        }

        return output;
    }

    /// <summary>CBC decryption from <paramref name="iv"/>; <paramref name="iv"/> ends as the last ciphertext block.</summary>
    public byte[] DecryptCbc(ReadOnlySpan<byte> data, Span<byte> iv)
    {
        RequireBlocks(data.Length);
        var output = new byte[data.Length];
        Span<byte> block = stackalloc byte[BlockSize];
        for (var offset = 0; offset < data.Length; offset += BlockSize)
        {
            DecryptBlock(data.Slice(offset, BlockSize), block);
            for (var i = 0; i < BlockSize; i++)
            {
                output[offset + i] = (byte)(block[i] ^ iv[i]);
            }

            data.Slice(offset, BlockSize).CopyTo(iv);
        }

        return output;
    }

    /// <summary>
    /// The card's inverse of the legacy (D40) reader "send mode", where the reader computes
    /// <c>c_i = D(p_i xor c_(i-1))</c>: here <c>p_i = E(c_i) xor c_(i-1)</c>, from a zero IV.
    /// </summary>
    public byte[] UndoLegacySendMode(ReadOnlySpan<byte> data)
    {
        RequireBlocks(data.Length);
        var output = new byte[data.Length];
        Span<byte> previous = stackalloc byte[BlockSize];
        previous.Clear();
        Span<byte> block = stackalloc byte[BlockSize];
        for (var offset = 0; offset < data.Length; offset += BlockSize)
        {
            EncryptBlock(data.Slice(offset, BlockSize), block);
            for (var i = 0; i < BlockSize; i++)
            {
                output[offset + i] = (byte)(block[i] ^ previous[i]);
            }

            data.Slice(offset, BlockSize).CopyTo(previous);
        }

        return output;
    }

    private void RequireBlocks(int length)
    {
        if (length % BlockSize != 0)
        {
            throw new ArgumentException($"Data length {length} is not a multiple of {BlockSize}.");
        }
    }
}

internal sealed class AesCardCipher : CardCipher
{
    private readonly Aes _aes;

    public AesCardCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
        {
            throw new ArgumentException("An AES key has 16 bytes.", nameof(key));
        }

        _aes = Aes.Create();
        _aes.Key = key.ToArray();
    }

    public override int BlockSize => 16;

    public override void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output) =>
        _aes.EncryptEcb(input[..16], output, PaddingMode.None);

    public override void DecryptBlock(ReadOnlySpan<byte> input, Span<byte> output) =>
        _aes.DecryptEcb(input[..16], output, PaddingMode.None);
}

/// <summary>EDE 3DES from three DES keys: 8-byte keys give single DES, 16-byte keys K1 K2 K1.</summary>
internal sealed class TripleDesCardCipher : CardCipher
{
    private readonly CardDes _k1;
    private readonly CardDes _k2;
    private readonly CardDes _k3;

    public TripleDesCardCipher(ReadOnlySpan<byte> key)
    {
        switch (key.Length)
        {
            case 8:
                _k1 = _k2 = _k3 = new CardDes(key);
                break;
            case 16:
                _k1 = _k3 = new CardDes(key[..8]);
                _k2 = new CardDes(key[8..16]);
                break;
            case 24:
                _k1 = new CardDes(key[..8]);
                _k2 = new CardDes(key[8..16]);
                _k3 = new CardDes(key[16..24]);
                break;
            default:
                throw new ArgumentException("A DES key has 8, 16 or 24 bytes.", nameof(key));
        }
    }

    public override int BlockSize => 8;

    public override void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> a = stackalloc byte[8];
        Span<byte> b = stackalloc byte[8];
        _k1.EncryptBlock(input, a);
        _k2.DecryptBlock(a, b);
        _k3.EncryptBlock(b, output);
    }

    public override void DecryptBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> a = stackalloc byte[8];
        Span<byte> b = stackalloc byte[8];
        _k3.DecryptBlock(input, a);
        _k2.EncryptBlock(a, b);
        _k1.DecryptBlock(b, output);
    }
}
