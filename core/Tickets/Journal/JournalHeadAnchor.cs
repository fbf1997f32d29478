using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Shared.Files;

namespace Middleware.Tickets.Journal;

/// <summary>The head file's content: the last entry, signed.</summary>
public sealed record SignedJournalHead(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("signature")] string Signature)
{
    public JournalHead Head => new(Seq, Hash);
}

/// <summary>
/// Keeps the last entry's number and hash in a file of its own, outside the SQLite store, so that rows cut from the
/// end of the journal (which leave a valid shorter chain) show: the journal is shorter than its head. Written after
/// each commit (temp file, then rename), never before: a crash leaves the head behind the journal, which is fine.
/// </summary>
public sealed class JournalHeadAnchor(string path, JournalSigningKey key, ILogger? logger = null)
{
    private readonly Lock gate = new();
    private readonly ILogger log = logger ?? NullLogger.Instance;
    private long written = -1;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Records <paramref name="head"/> unless a later head is already written. Never throws: the entries are
    /// already committed, and a head left behind only weakens the truncation check until the next append.</summary>
    public void Advance(JournalHead head)
    {
        lock (gate)
        {
            if (head.Seq <= written)
            {
                return;
            }

            try
            {
                var signed = new SignedJournalHead(head.Seq, head.Hash, key.KeyId, Convert.ToBase64String(key.Sign(JournalHash.HeadMessage(head))));
                var temp = Path + ".tmp";
                PrivateFolder.CreateMissing(System.IO.Path.GetDirectoryName(Path));
                using (var stream = PrivateFolder.CreateFile(temp))
                {
                    JsonSerializer.Serialize(stream, signed);
                }

                File.Move(temp, Path, overwrite: true);
                written = head.Seq;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log.LogWarning(ex, "Journal head {Seq} not written to {Path}; the next append retries", head.Seq, Path);
            }
        }
    }

    /// <summary>The head on disk; null when there is none. A file that does not parse is reported, not thrown.</summary>
    public static (SignedJournalHead? Head, string? Error) Read(string path)
    {
        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Length > 4096)
            {
                return (null, "the head file is larger than a head");
            }

            var head = JsonSerializer.Deserialize<SignedJournalHead>(File.ReadAllBytes(path));
            return head is { Seq: >= 0 } && JournalHash.IsHex64(head.Hash) ? (head, null) : (null, "the head file is malformed");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return (null, $"the head file cannot be read: {ex.Message}");
        }
    }
}
