using System.Security.Cryptography;
using Middleware.Contracts.Readers;

namespace Middleware.Cards.Crypto;

/// <summary>
/// The reader side of DESFire EV1 secure messaging after an ISO (<c>1A</c>) or AES (<c>AA</c>) authentication
/// (<c>cards.md</c> §3 step 4): the IV starts at zero; every command updates it with its CMAC (or, enciphered, with its
/// last ciphertext block); every answer's MAC is checked (the full CMAC becomes the IV) or its enciphered data deciphered
/// and CRC32-checked (the last ciphertext block becomes the IV). One instance per authenticated card; not thread-safe.
/// </summary>
public sealed class Ev1SecureMessaging : IDisposable
{
    private readonly BlockCipher _cipher;
    private readonly byte[] _iv;

    /// <summary>Starts secure messaging with <paramref name="sessionKey"/> (copied into the cipher; the caller wipes its copy).</summary>
    public Ev1SecureMessaging(DesfireKeyType type, ReadOnlySpan<byte> sessionKey)
    {
        _cipher = type switch
        {
            DesfireKeyType.Aes128 => BlockCipher.Aes(sessionKey),
            _ => BlockCipher.TripleDes(sessionKey),
        };
        _iv = new byte[_cipher.BlockSize];
    }

    /// <summary>The current IV (for tests and diagnostics; it is not secret once the session is over).</summary>
    public ReadOnlySpan<byte> Iv => _iv;

    /// <summary>The MAC length carried by commands and answers.</summary>
    public const int MacLength = 8;

    /// <summary>Protects a command; see <see cref="ISamSession.ProtectCommandAsync"/> for the exact rules.</summary>
    public byte[] ProtectCommand(byte ins, ReadOnlySpan<byte> header, ReadOnlySpan<byte> data, SecureMessagingMode mode)
    {
        var message = new byte[1 + header.Length + data.Length];
        message[0] = ins;
        header.CopyTo(message.AsSpan(1));
        data.CopyTo(message.AsSpan(1 + header.Length));

        if (mode == SecureMessagingMode.Enciphered)
        {
            var n = _cipher.BlockSize;
            var plainLength = data.Length + 4;
            var padded = (plainLength + n - 1) / n * n;
            var plain = new byte[padded];
            data.CopyTo(plain);
            DesfireCrc32.Write(DesfireCrc32.Compute(message), plain.AsSpan(data.Length));
            var result = new byte[header.Length + padded];
            header.CopyTo(result);
            _cipher.EncryptCbc(plain, _iv, result.AsSpan(header.Length));
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(message);
            return result;
        }

        Span<byte> mac = stackalloc byte[_cipher.BlockSize];
        Cmac.Compute(_cipher, _iv, message, mac);
        mac.CopyTo(_iv);
        if (mode == SecureMessagingMode.Plain)
        {
            return message[1..];
        }

        var maced = new byte[message.Length - 1 + MacLength];
        message.AsSpan(1).CopyTo(maced);
        mac[..MacLength].CopyTo(maced.AsSpan(message.Length - 1));
        return maced;
    }

    /// <summary>
    /// Checks a successful answer (status <c>00</c>) and returns its plain data; see
    /// <see cref="ISamSession.UnprotectResponseAsync"/>. Throws <see cref="CryptographicException"/> when a MAC, CRC,
    /// padding or length check fails, <see cref="ArgumentOutOfRangeException"/> for a negative <paramref name="expectedLength"/>.
    /// </summary>
    public byte[] UnprotectResponse(ReadOnlySpan<byte> response, byte status, SecureMessagingMode mode, int? expectedLength)
    {
        if (expectedLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedLength), expectedLength, "An answer cannot carry a negative number of bytes.");
        }

        if (mode == SecureMessagingMode.Enciphered)
        {
            return Decipher(response, status, expectedLength);
        }

        if (response.Length < MacLength)
        {
            throw new CryptographicException($"The answer is {response.Length} bytes: too short to carry its {MacLength}-byte MAC.");
        }

        var data = response[..^MacLength];
        if (expectedLength is { } expected && data.Length != expected)
        {
            throw new CryptographicException($"The answer carries {data.Length} bytes of data, {expected} expected.");
        }

        var message = new byte[data.Length + 1];
        data.CopyTo(message);
        message[^1] = status;
        Span<byte> mac = stackalloc byte[_cipher.BlockSize];
        Cmac.Compute(_cipher, _iv, message, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacLength], response[^MacLength..]))
        {
            throw new CryptographicException("The answer's MAC is wrong.");
        }

        mac.CopyTo(_iv);
        return data.ToArray();
    }

    /// <summary>Wipes the IV and releases the session key.</summary>
    public void Dispose()
    {
        Array.Clear(_iv);
        _cipher.Dispose();
    }

    private byte[] Decipher(ReadOnlySpan<byte> response, byte status, int? expectedLength)
    {
        var n = _cipher.BlockSize;
        if (response.Length == 0 || response.Length % n != 0)
        {
            throw new CryptographicException($"An enciphered answer is a multiple of {n} bytes, not {response.Length}.");
        }

        var plain = new byte[response.Length];
        try
        {
            _cipher.DecryptCbc(response, _iv, plain);
            if (expectedLength is { } expected)
            {
                // In long: an expected length near int.MaxValue (a file size read from the card) must not wrap around.
                if ((long)expected + 4 > plain.Length || plain.Length - ((long)expected + 4) >= n)
                {
                    throw new CryptographicException($"An enciphered answer of {response.Length} bytes cannot hold {expected} bytes of data.");
                }

                if (!CrcAndPaddingMatch(plain, expected, status))
                {
                    throw new CryptographicException("The enciphered answer's CRC32 or padding is wrong.");
                }

                return plain.AsSpan(0, expected).ToArray();
            }

            // Unknown length: the CRC ends within the last block and only zeros follow it.
            for (var length = plain.Length - 4; length >= 0 && plain.Length - (length + 4) < n; length--)
            {
                if (CrcAndPaddingMatch(plain, length, status))
                {
                    return plain.AsSpan(0, length).ToArray();
                }
            }

            throw new CryptographicException("The enciphered answer's CRC32 or padding is wrong.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static bool CrcAndPaddingMatch(ReadOnlySpan<byte> plain, int length, byte status)
    {
        foreach (var b in plain[(length + 4)..])
        {
            if (b != 0)
            {
                return false;
            }
        }

        var crc = DesfireCrc32.Update(DesfireCrc32.Compute(plain[..length]), [status]);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(plain.Slice(length, 4)) == crc;
    }
}
