using System.Security.Cryptography;

namespace Middleware.Cards.Crypto;

/// <summary>The cipher families DESFire keys use.</summary>
public enum DesfireKeyType
{
    /// <summary>Single DES (8-byte key; run as 3DES with K1 = K2 = K3).</summary>
    Des,

    /// <summary>Two-key triple DES (16-byte key).</summary>
    TwoKey3Des,

    /// <summary>Three-key triple DES (24-byte key).</summary>
    ThreeKey3Des,

    /// <summary>AES-128 (16-byte key).</summary>
    Aes128,
}

/// <summary>
/// A raw block cipher (AES-128 or DES/3DES, no padding) with explicit-IV CBC, the building block of CMAC, AN10922 and
/// DESFire secure messaging. Holds a copy of the key inside the platform's cipher object; dispose it to release it.
/// </summary>
public sealed class BlockCipher : IDisposable
{
    // AES runs on the platform; the DES family on the managed TripleDesEde (the platform refuses weak DES keys).
    private readonly SymmetricAlgorithm? _algorithm;
    private readonly TripleDesEde? _des;

    private BlockCipher(SymmetricAlgorithm algorithm, int blockSize)
    {
        _algorithm = algorithm;
        BlockSize = blockSize;
    }

    private BlockCipher(TripleDesEde des, int blockSize)
    {
        _des = des;
        BlockSize = blockSize;
    }

    /// <summary>The block size in bytes: 16 for AES, 8 for DES and 3DES.</summary>
    public int BlockSize { get; }

    /// <summary>An AES cipher (16, 24 or 32-byte key).</summary>
    public static BlockCipher Aes(ReadOnlySpan<byte> key)
    {
        var aes = System.Security.Cryptography.Aes.Create();
        var copy = key.ToArray();
        try
        {
            aes.Key = copy;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }

        return new BlockCipher(aes, 16);
    }

    /// <summary>
    /// A DES-family cipher: an 8-byte key is single DES, 16 bytes two-key 3DES (K1 K2 K1), 24 bytes three-key 3DES.
    /// Parity bits (DESFire key versions) are ignored, as DES does; "weak" keys such as the all-zero factory key work.
    /// </summary>
    public static BlockCipher TripleDes(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (8 or 16 or 24))
        {
            throw new ArgumentException($"A DES key is 8, 16 or 24 bytes, not {key.Length}.", nameof(key));
        }

        var k1 = key[..8];
        var k2 = key.Length >= 16 ? key[8..16] : k1;
        var k3 = key.Length == 24 ? key[16..24] : k1;
        return new BlockCipher(new TripleDesEde(k1, k2, k3), 8);
    }

    /// <summary>The cipher for a DESFire key of <paramref name="type"/>.</summary>
    public static BlockCipher For(DesfireKeyType type, ReadOnlySpan<byte> key) => type switch
    {
        DesfireKeyType.Aes128 when key.Length == 16 => Aes(key),
        DesfireKeyType.Aes128 => throw new ArgumentException("An AES-128 key is 16 bytes.", nameof(key)),
        DesfireKeyType.Des when key.Length == 8 => TripleDes(key),
        DesfireKeyType.TwoKey3Des when key.Length == 16 => TripleDes(key),
        DesfireKeyType.ThreeKey3Des when key.Length == 24 => TripleDes(key),
        _ => throw new ArgumentException($"A {type} key cannot be {key.Length} bytes.", nameof(key)),
    };

    /// <summary>CBC-enciphers <paramref name="input"/> (a multiple of the block size) from <paramref name="iv"/>,
    /// and leaves the last ciphertext block in <paramref name="iv"/> (the chained IV).</summary>
    public void EncryptCbc(ReadOnlySpan<byte> input, Span<byte> iv, Span<byte> output)
    {
        CheckBlocks(input.Length, iv.Length, output.Length);
        if (_algorithm is not null)
        {
            _algorithm.EncryptCbc(input, iv, output, PaddingMode.None);
        }
        else
        {
            Span<byte> chain = stackalloc byte[BlockSize];
            iv.CopyTo(chain);
            for (var offset = 0; offset < input.Length; offset += BlockSize)
            {
                for (var i = 0; i < BlockSize; i++)
                {
                    chain[i] ^= input[offset + i];
                }

                _des!.EncryptBlock(chain, chain);
                chain.CopyTo(output.Slice(offset, BlockSize));
            }
        }

        output.Slice(input.Length - BlockSize, BlockSize).CopyTo(iv);
    }

    /// <summary>CBC-deciphers <paramref name="input"/> from <paramref name="iv"/>, and leaves the last
    /// ciphertext block in <paramref name="iv"/>. <paramref name="input"/> and <paramref name="output"/> may not overlap.</summary>
    public void DecryptCbc(ReadOnlySpan<byte> input, Span<byte> iv, Span<byte> output)
    {
        CheckBlocks(input.Length, iv.Length, output.Length);
        Span<byte> last = stackalloc byte[BlockSize];
        input.Slice(input.Length - BlockSize, BlockSize).CopyTo(last);
        if (_algorithm is not null)
        {
            _algorithm.DecryptCbc(input, iv, output, PaddingMode.None);
        }
        else
        {
            Span<byte> previous = stackalloc byte[BlockSize];
            Span<byte> current = stackalloc byte[BlockSize];
            iv.CopyTo(previous);
            for (var offset = 0; offset < input.Length; offset += BlockSize)
            {
                input.Slice(offset, BlockSize).CopyTo(current);
                _des!.DecryptBlock(current, output.Slice(offset, BlockSize));
                for (var i = 0; i < BlockSize; i++)
                {
                    output[offset + i] ^= previous[i];
                }

                current.CopyTo(previous);
            }
        }

        last.CopyTo(iv);
    }

    /// <summary>Enciphers one block (ECB).</summary>
    public void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckBlocks(input.Length, BlockSize, output.Length);
        if (_algorithm is not null)
        {
            _algorithm.EncryptEcb(input, output, PaddingMode.None);
        }
        else
        {
            _des!.EncryptBlock(input, output);
        }
    }

    /// <summary>Releases the platform cipher (and its key copy).</summary>
    public void Dispose()
    {
        _algorithm?.Dispose();
        _des?.Dispose();
    }

    private void CheckBlocks(int inputLength, int ivLength, int outputLength)
    {
        if (inputLength == 0 || inputLength % BlockSize != 0)
        {
            throw new ArgumentException($"The input must be a non-empty multiple of {BlockSize} bytes, not {inputLength}.");
        }

        if (ivLength != BlockSize)
        {
            throw new ArgumentException($"The IV must be {BlockSize} bytes, not {ivLength}.");
        }

        if (outputLength < inputLength)
        {
            throw new ArgumentException("The output is shorter than the input.");
        }
    }
}
