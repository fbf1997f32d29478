using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Middleware.Shared.Files;

namespace Middleware.Tickets.Journal;

/// <summary>The first line of an archive: what it holds and the keys to check it.</summary>
public sealed record JournalArchiveHeader
{
    [JsonPropertyName("format")] public required string Format { get; init; }
    [JsonPropertyName("exportedAt")] public required DateTimeOffset ExportedAt { get; init; }
    [JsonPropertyName("fromSeq")] public required long FromSeq { get; init; }
    [JsonPropertyName("toSeq")] public required long ToSeq { get; init; }

    /// <summary>The hash of entry <see cref="FromSeq"/> − 1 (zeros from the start): the previous archive's last hash.</summary>
    [JsonPropertyName("previousHash")] public required string PreviousHash { get; init; }

    /// <summary>Every key of the journal up to <see cref="ToSeq"/>, by id (hex).</summary>
    [JsonPropertyName("publicKeys")] public required Dictionary<string, string> PublicKeys { get; init; }
}

/// <summary>
/// A signed, self-contained extract of the journal, checkable offline (<c>mwctl journal verify --archive</c>) with no
/// host and no store. JSON Lines, written and read one line at a time (memory stays flat whatever its length): a
/// <see cref="JournalArchiveHeader"/>, then one <see cref="JournalEntry"/> per line, then the last entry's
/// <see cref="SignedJournalHead"/> signed by the exporting key. Consecutive archives chain: one's previous hash is the
/// other's last.
/// </summary>
public static class JournalArchive
{
    public const string CurrentFormat = "izly-middleware-journal-archive/1";

    /// <summary>The longest line read back (an entry is a ticket or a closing: kilobytes).</summary>
    public const int MaxLineChars = 4 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>Writes entries <paramref name="fromSeq"/>..<paramref name="toSeq"/> (clamped to the journal) to a new file
    /// <paramref name="path"/> (0600; an existing archive is never overwritten). Returns the archive's range.</summary>
    public static (long From, long To) Export(SqliteConnection c, JournalSigningKey key, long fromSeq, long toSeq, string path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        fromSeq = Math.Max(1, fromSeq);
        var last = JournalStore.Head(c);
        toSeq = Math.Min(toSeq, last.Seq);
        if (toSeq < fromSeq)
        {
            throw new ArgumentException($"the journal has no entry between {fromSeq} and {toSeq} (it ends at {last.Seq})");
        }

        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new ArchiveNameTakenException(Path.GetFileName(full));
        }

        var previous = fromSeq == 1 ? JournalHash.Genesis : JournalStore.Read(c, fromSeq - 1, fromSeq - 1, cancellationToken).Single().Hash;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var k in JournalStore.ReadKind(c, null, JournalKinds.Key, null, 0, toSeq))
        {
            using var doc = JsonDocument.Parse(k.Body);
            keys[k.KeyId] = doc.RootElement.GetProperty("publicKey").GetString()!;
        }

        keys[key.KeyId] = Convert.ToHexStringLower(key.PublicKey);
        PrivateFolder.CreateMissing(Path.GetDirectoryName(full));
        // A temporary name of its own: two exports of one name at once (or a file left by a crash) never share it.
        var temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        string lastHash;
        try
        {
            using (var stream = PrivateFolder.CreateFile(temp, FileMode.CreateNew))
            {
                Line(stream, new JournalArchiveHeader { Format = CurrentFormat, ExportedAt = now, FromSeq = fromSeq, ToSeq = toSeq, PreviousHash = previous, PublicKeys = keys });
                lastHash = previous;
                foreach (var entry in JournalStore.Read(c, fromSeq, toSeq, cancellationToken))
                {
                    Line(stream, entry);
                    lastHash = entry.Hash;
                }

                var head = new JournalHead(toSeq, lastHash);
                Line(stream, new SignedJournalHead(head.Seq, head.Hash, key.KeyId, Convert.ToBase64String(key.Sign(JournalHash.HeadMessage(head)))));
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            // A half-written archive is not left behind.
            File.Delete(temp);
            throw;
        }

        try
        {
            File.Move(temp, full, overwrite: false);
        }
        catch (IOException) when (File.Exists(full))
        {
            // Another export took the name since the check above.
            File.Delete(temp);
            throw new ArchiveNameTakenException(Path.GetFileName(full));
        }

        return (fromSeq, toSeq);
    }

    /// <summary>
    /// Checks an archive file offline, reading it one line at a time: its format, every entry's chain, hash and
    /// signature from its previous hash, that it holds exactly its range, and its signed head.
    /// <paramref name="pinnedKeyId"/>: the key id printed on the closings (refuses an archive signed with another key).
    /// </summary>
    public static JournalVerification Verify(string path, string? pinnedKeyId, DateTimeOffset now)
    {
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            var header = Parse<JournalArchiveHeader>(ReadLine(reader));
            if (header is null || header.Format != CurrentFormat || header.PublicKeys is null || !JournalHash.IsHex64(header.PreviousHash) || header.FromSeq < 1)
            {
                return Failed($"not a journal archive of format {CurrentFormat}", now);
            }

            var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (id, hex) in header.PublicKeys)
            {
                if (hex is not { Length: 64 } || !hex.All(Uri.IsHexDigit) || JournalSigningKey.IdOf(Convert.FromHexString(hex)) != id)
                {
                    return Failed($"public key {id} of the archive does not match its id", now);
                }

                keys[id] = Convert.FromHexString(hex);
            }

            var check = new JournalChainCheck(header.FromSeq, header.PreviousHash, keys);
            SignedJournalHead? head = null;
            for (var line = ReadLine(reader); line is not null; line = ReadLine(reader))
            {
                if (head is not null)
                {
                    return Failed("the archive goes on after its signed head", now);
                }

                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("kind", out _))
                {
                    var entry = doc.Deserialize<JournalEntry>(Json);
                    if (entry is null || entry.At is null || entry.Kind is null || entry.Body is null || entry.PrevHash is null || entry.Hash is null || entry.Signature is null || entry.KeyId is null)
                    {
                        return Failed("an entry of the archive is incomplete", now);
                    }

                    check.Add(entry);
                }
                else
                {
                    head = doc.Deserialize<SignedJournalHead>(Json);
                }
            }

            if (check.LastSeq != header.ToSeq)
            {
                check.Problem(JournalProblemKinds.Truncated, check.LastSeq + 1, $"the archive says it holds entries {header.FromSeq} to {header.ToSeq}; its last is {check.LastSeq}");
            }

            if (head is null || head.KeyId is null || head.Hash is null || head.Signature is null)
            {
                check.Problem(JournalProblemKinds.HeadInvalid, null, "the archive has no signed head: it was cut");
            }
            else
            {
                check.CheckHead(head, null);
                if (head.Seq != check.LastSeq || head.Hash != check.LastHash)
                {
                    check.Problem(JournalProblemKinds.HeadInvalid, head.Seq, "the archive's signed head is not its last entry");
                }

                if (pinnedKeyId is not null && !string.Equals(pinnedKeyId, head.KeyId, StringComparison.OrdinalIgnoreCase))
                {
                    check.Problem(JournalProblemKinds.UnknownKey, null, $"the archive is signed by key {head.KeyId}, not by {pinnedKeyId}");
                }
            }

            return check.Result(now);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            return Failed($"the archive cannot be read: {ex.Message}", now);
        }
    }

    private static void Line<T>(Stream stream, T value)
    {
        JsonSerializer.Serialize(stream, value, Json);
        stream.Write(NewLine);
    }

    private static T? Parse<T>(string? line) where T : class => line is null ? null : JsonSerializer.Deserialize<T>(line, Json);

    /// <summary>One line, at most <see cref="MaxLineChars"/> long (a hostile file cannot make it allocate more).</summary>
    private static string? ReadLine(StreamReader reader)
    {
        var line = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                return line.ToString();
            }

            if (line.Length >= MaxLineChars)
            {
                throw new InvalidDataException($"a line of the archive is longer than {MaxLineChars} characters");
            }

            line.Append((char)c);
        }

        return line.Length > 0 ? line.ToString() : null;
    }

    private static JournalVerification Failed(string why, DateTimeOffset now) => new()
    {
        Entries = 0,
        LastSeq = 0,
        LastHash = JournalHash.Genesis,
        KeyIds = [],
        Problems = [new JournalProblem(JournalProblemKinds.HeadInvalid, null, why)],
        VerifiedAt = now,
    };
}
