using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Middleware.Shared.Files;

namespace Middleware.Tickets.Journal;

/// <summary>
/// A signed, self-contained extract of the journal, checkable offline (<c>mwctl journal verify --archive</c>) with no
/// host and no store: the entries, the public keys that signed them, the hash before the first entry (so that
/// consecutive archives chain), and the exporting key's signature of the last entry.
/// </summary>
public sealed record JournalArchive
{
    public const string CurrentFormat = "izly-middleware-journal-archive/1";

    /// <summary>The largest archive file read back (a hostile or corrupt file is refused, not loaded).</summary>
    public const long MaxFileBytes = 2L * 1024 * 1024 * 1024;

    [JsonPropertyName("format")] public required string Format { get; init; }
    [JsonPropertyName("exportedAt")] public required DateTimeOffset ExportedAt { get; init; }
    [JsonPropertyName("fromSeq")] public required long FromSeq { get; init; }
    [JsonPropertyName("toSeq")] public required long ToSeq { get; init; }

    /// <summary>The hash of entry <see cref="FromSeq"/> − 1 (zeros from the start): the previous archive's last hash.</summary>
    [JsonPropertyName("previousHash")] public required string PreviousHash { get; init; }

    /// <summary>Every key of the journal up to <see cref="ToSeq"/>, by id (hex).</summary>
    [JsonPropertyName("publicKeys")] public required Dictionary<string, string> PublicKeys { get; init; }

    [JsonPropertyName("entries")] public required IReadOnlyList<JournalEntry> Entries { get; init; }

    /// <summary>The last entry, signed by the exporting key (<see cref="SignedJournalHead"/>).</summary>
    [JsonPropertyName("head")] public required SignedJournalHead Head { get; init; }

    /// <summary>Writes entries <paramref name="fromSeq"/>..<paramref name="toSeq"/> (clamped to the journal) to
    /// <paramref name="path"/> (0600, via a temp file). Returns the archive's range.</summary>
    public static (long From, long To) Export(SqliteConnection c, JournalSigningKey key, long fromSeq, long toSeq, string path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        fromSeq = Math.Max(1, fromSeq);
        var last = JournalStore.Head(c);
        toSeq = Math.Min(toSeq, last.Seq);
        if (toSeq < fromSeq)
        {
            throw new ArgumentException($"the journal has no entry between {fromSeq} and {toSeq} (it ends at {last.Seq})");
        }

        var previous = fromSeq == 1 ? JournalHash.Genesis : JournalStore.Read(c, fromSeq - 1, fromSeq - 1, cancellationToken).Single().Hash;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var k in JournalStore.ReadKind(c, null, JournalKinds.Key, null, 0, toSeq))
        {
            using var doc = JsonDocument.Parse(k.Body);
            keys[k.KeyId] = doc.RootElement.GetProperty("publicKey").GetString()!;
        }

        keys[key.KeyId] = Convert.ToHexStringLower(key.PublicKey);
        var entries = JournalStore.Read(c, fromSeq, toSeq, cancellationToken).ToList();
        var head = new JournalHead(toSeq, entries[^1].Hash);
        var archive = new JournalArchive
        {
            Format = CurrentFormat,
            ExportedAt = now,
            FromSeq = fromSeq,
            ToSeq = toSeq,
            PreviousHash = previous,
            PublicKeys = keys,
            Entries = entries,
            Head = new SignedJournalHead(head.Seq, head.Hash, key.KeyId, Convert.ToBase64String(key.Sign(JournalHash.HeadMessage(head)))),
        };

        var full = Path.GetFullPath(path);
        PrivateFolder.CreateMissing(Path.GetDirectoryName(full));
        var temp = full + ".tmp";
        using (var stream = PrivateFolder.CreateFile(temp))
        {
            JsonSerializer.Serialize(stream, archive);
        }

        File.Move(temp, full, overwrite: true);
        return (fromSeq, toSeq);
    }

    /// <summary>
    /// Checks an archive file offline: its format, every entry's chain, hash and signature from its
    /// <see cref="PreviousHash"/>, that it holds exactly <see cref="FromSeq"/>..<see cref="ToSeq"/>, and its signed
    /// head. <paramref name="pinnedKeyId"/>: the key id printed on the closings (refuses an archive re-signed with another key).
    /// </summary>
    public static JournalVerification Verify(string path, string? pinnedKeyId, DateTimeOffset now)
    {
        JournalArchive? archive;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                return Failed($"the archive is larger than {MaxFileBytes} bytes", now);
            }

            using var stream = File.OpenRead(path);
            archive = JsonSerializer.Deserialize<JournalArchive>(stream);
        }
        catch (JsonException ex)
        {
            return Failed($"the archive is not valid JSON: {ex.Message}", now);
        }

        if (archive is null || archive.Format != CurrentFormat || archive.Entries is null || archive.PublicKeys is null || archive.Head is null || !JournalHash.IsHex64(archive.PreviousHash))
        {
            return Failed($"not a journal archive of format {CurrentFormat}", now);
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, hex) in archive.PublicKeys)
        {
            if (hex is not { Length: 64 } || !hex.All(Uri.IsHexDigit) || JournalSigningKey.IdOf(Convert.FromHexString(hex)) != id)
            {
                return Failed($"public key {id} of the archive does not match its id", now);
            }

            keys[id] = Convert.FromHexString(hex);
        }

        var check = new JournalChainCheck(archive.FromSeq, archive.PreviousHash, keys);
        foreach (var entry in archive.Entries)
        {
            check.Add(entry);
        }

        if (check.LastSeq != archive.ToSeq)
        {
            check.Problem(JournalProblemKinds.Truncated, check.LastSeq + 1, $"the archive says it holds entries {archive.FromSeq} to {archive.ToSeq}; its last is {check.LastSeq}");
        }

        check.CheckHead(archive.Head, null);
        if (archive.Head.Seq != check.LastSeq || archive.Head.Hash != check.LastHash)
        {
            check.Problem(JournalProblemKinds.HeadInvalid, archive.Head.Seq, "the archive's signed head is not its last entry");
        }

        if (pinnedKeyId is not null && !string.Equals(pinnedKeyId, archive.Head.KeyId, StringComparison.OrdinalIgnoreCase))
        {
            check.Problem(JournalProblemKinds.UnknownKey, null, $"the archive is signed by key {archive.Head.KeyId}, not by {pinnedKeyId}");
        }

        return check.Result(now);
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
