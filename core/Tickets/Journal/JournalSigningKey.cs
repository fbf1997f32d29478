using System.Globalization;
using System.Security.Cryptography;
using Middleware.Shared.Files;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Middleware.Tickets.Journal;

/// <summary>The key file is unreadable, malformed or readable by other users.</summary>
public sealed class JournalKeyException(string message) : Exception(message);

/// <summary>
/// The journal's Ed25519 key (BouncyCastle: .NET has no Ed25519). The private half never leaves the file (0600, with
/// the host's secrets); the public half is written in the journal itself and in every archive, for offline checks.
/// </summary>
public sealed class JournalSigningKey
{
    private readonly Ed25519PrivateKeyParameters privateKey;

    private JournalSigningKey(Ed25519PrivateKeyParameters privateKey)
    {
        this.privateKey = privateKey;
        PublicKey = privateKey.GeneratePublicKey().GetEncoded();
        KeyId = IdOf(PublicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The first 16 hex digits of SHA-256 of the public key: names the key in each entry.</summary>
    public string KeyId { get; }

    /// <summary>A key from 32 seed bytes (tests and tools).</summary>
    public static JournalSigningKey FromSeed(ReadOnlySpan<byte> seed) => new(new Ed25519PrivateKeyParameters(seed.ToArray(), 0));

    public static string IdOf(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    /// <summary>Reads the key file, or creates it (0600) with a fresh key when it does not exist.</summary>
    public static JournalSigningKey LoadOrCreate(string path)
    {
        PrivateFolder.CreateMissing(Path.GetDirectoryName(Path.GetFullPath(path)));
        if (!File.Exists(path))
        {
            // Written whole and flushed under another name, then moved: a power cut never leaves an empty key file.
            var seed = RandomNumberGenerator.GetBytes(32);
            var temp = path + ".new-" + Guid.NewGuid().ToString("N");
            using (var stream = PrivateFolder.CreateFile(temp, FileMode.CreateNew))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(seed) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
                return FromSeed(seed);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp); // another start made it first: read theirs below
            }
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new JournalKeyException($"the journal key {path} is readable or writable by other users (chmod 600 it)");
        }

        var text = File.ReadAllText(path).Trim();
        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
        {
            throw new JournalKeyException($"the journal key {path} is not 64 hex digits");
        }

        return FromSeed(Convert.FromHexString(text));
    }

    /// <summary>The Ed25519 signature (64 bytes) of <paramref name="message"/>. Thread-safe.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[Ed25519.SignatureSize];
        Sign(message, signature);
        return signature;
    }

    /// <summary>Writes the Ed25519 signature of <paramref name="message"/> into the first 64 bytes of <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        // Straight from the key (what Ed25519Signer does after buffering): no signer object nor copies of the message
        // per entry; the key's public half is computed once and kept by BouncyCastle. The key is stateless, so shared.
        privateKey.Sign(Ed25519.Algorithm.Ed25519, null, message, signature);
    }

    /// <summary>Whether <paramref name="signature"/> is <paramref name="publicKey"/>'s signature of <paramref name="message"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey.ToArray(), 0));
        verifier.BlockUpdate(message.ToArray(), 0, message.Length);
        return verifier.VerifySignature(signature.ToArray());
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ed25519:{KeyId}");
}
