using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Middleware.Tickets.Journal;

/// <summary>
/// The chain: hash(n) = SHA-256(domain ‖ prevHash ‖ each field length-prefixed), so that no two different entries
/// encode alike and changing any field, or the order, changes every hash after it.
/// </summary>
public static class JournalHash
{
    public static readonly string Genesis = new('0', 64);

    private static readonly byte[] Domain = "izly-middleware-journal/1\n"u8.ToArray();
    private static readonly byte[] HeadDomain = "izly-middleware-journal-head/1\n"u8.ToArray();

    public static string Compute(string prevHash, long seq, string at, string kind, string? pointOfSale, string? reference, string body)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(prevHash, seq, at, kind, pointOfSale, reference, body, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>The entry's hash as bytes (what its signature covers) into <paramref name="digest"/> (32 bytes).</summary>
    public static void Compute(string prevHash, long seq, string at, string kind, string? pointOfSale, string? reference, string body, Span<byte> digest)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Domain);
        Span<byte> previous = stackalloc byte[SHA256.HashSizeInBytes];
        // Same refusal as Convert.FromHexString(string) for a malformed previous hash; a shorter one is hashed as it is.
        var status = Convert.FromHexString(prevHash, previous, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done)
        {
            hash.AppendData(Convert.FromHexString(prevHash));
        }
        else
        {
            hash.AppendData(previous[..written]);
        }

        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, seq);
        hash.AppendData(number);
        Append(hash, at);
        Append(hash, kind);
        Append(hash, pointOfSale);
        Append(hash, reference);
        Append(hash, body);
        hash.GetHashAndReset(digest);
    }

    /// <summary>Whether <paramref name="entry"/>'s hash is the hash of its fields.</summary>
    public static bool Matches(JournalEntry entry) =>
        IsHex64(entry.PrevHash) && string.Equals(entry.Hash, Compute(entry.PrevHash, entry.Seq, entry.At, entry.Kind, entry.PointOfSale, entry.Reference, entry.Body), StringComparison.Ordinal);

    /// <summary>What the head file's signature covers.</summary>
    public static byte[] HeadMessage(JournalHead head)
    {
        var text = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{head.Seq}:{head.Hash}"));
        return [.. HeadDomain, .. text];
    }

    public static bool IsHex64(string? value) => value is { Length: 64 } && value.All(Uri.IsHexDigit);

    private static void Append(IncrementalHash hash, string? field)
    {
        Span<byte> length = stackalloc byte[4];
        if (field is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            hash.AppendData(length);
            return;
        }

        // Encoded into a pooled buffer: a ticket's body is a few kilobytes, hashed at every commit.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(field.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(field, buffer);
            BinaryPrimitives.WriteInt32BigEndian(length, count);
            hash.AppendData(length);
            hash.AppendData(buffer, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
