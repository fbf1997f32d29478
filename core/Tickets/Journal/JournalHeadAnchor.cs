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
    [JsonIgnore]
    public JournalHead Head => new(Seq, Hash);
}

/// <summary>
/// Keeps the last entry's number and hash in a file of its own, outside the SQLite store, so that rows cut from the
/// end of the journal (which leave a valid shorter chain) show: the journal is shorter than its head. Written after
/// each commit (temp file, then rename), never before: a crash leaves the head behind the journal, which is fine.
/// </summary>
public sealed class JournalHeadAnchor
{
    private readonly Lock gate = new();
    private readonly JournalSigningKey key;
    private readonly ILogger log;
    private readonly string tempPath;
    private long written;
    private bool behind;

    public JournalHeadAnchor(string path, JournalSigningKey key, ILogger? logger = null)
    {
        this.key = key;
        log = logger ?? NullLogger.Instance;
        Path = System.IO.Path.GetFullPath(path);
        tempPath = Path + ".tmp";
        // The head on disk may be ahead of the journal (rows cut from its end): never write a lower head over it.
        written = Read(Path).Head?.Seq ?? -1;
    }

    public string Path { get; }

    /// <summary>Records <paramref name="head"/> unless a later head is already written. Never throws: the entries are
    /// already committed, and a head left behind only weakens the truncation check until the next append.</summary>
    public void Advance(JournalHead head)
    {
        lock (gate)
        {
            if (head.Seq <= written)
            {
                if (!behind && written > 0 && File.Exists(Path))
                {
                    // The journal went backwards: keep the head that says so before the journal grows past it again.
                    behind = true;
                    var evidence = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path}.evidence-{written}");
                    try
                    {
                        File.Copy(Path, evidence, overwrite: false);
                    }
                    catch (IOException)
                    {
                        // Kept at an earlier start.
                    }

                    log.LogCritical("Sales journal: entry {Seq} is appended while the head file says the journal reached {Head}: entries were cut; the head is kept in {Evidence}",
                        head.Seq, written, evidence);
                }

                return;
            }

            try
            {
                var signed = new SignedJournalHead(head.Seq, head.Hash, key.KeyId, Convert.ToBase64String(key.Sign(JournalHash.HeadMessage(head))));
                var content = JsonSerializer.SerializeToUtf8Bytes(signed, JournalHeadJsonContext.Default.SignedJournalHead);
                try
                {
                    WriteTemp(content);
                }
                catch (DirectoryNotFoundException)
                {
                    // Its folder is made on the first write (or again if it went): not looked up at every commit.
                    PrivateFolder.CreateMissing(System.IO.Path.GetDirectoryName(Path));
                    WriteTemp(content);
                }

                File.Move(tempPath, Path, overwrite: true);
                written = head.Seq;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log.LogWarning(ex, "Journal head {Seq} not written to {Path}; the next append retries", head.Seq, Path);
            }
        }
    }

    // The whole head (a few hundred bytes) in one write, unbuffered: no 4 KB stream buffer per commit. Created 0600 and
    // the mode set on the handle too, as PrivateFolder.CreateFile does: a temp file left by a crash keeps its old mode.
    private void WriteTemp(byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFileMode;
        }

        using var stream = new FileStream(tempPath, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, PrivateFileMode);
        }

        stream.Write(content);
    }

    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The heads kept as evidence beside <paramref name="path"/> (a journal that went backwards), readable ones only.</summary>
    public static IReadOnlyList<(string File, SignedJournalHead Head)> ReadEvidence(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(folder, System.IO.Path.GetFileName(path) + ".evidence-*").Order(StringComparer.Ordinal).Take(100)
            .Select(f => (f, Read(f).Head)).Where(x => x.Head is not null).Select(x => (x.f, x.Head!))];
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

/// <summary>Build-time JSON metadata of the head file (default options: the form written since the first version).</summary>
[JsonSerializable(typeof(SignedJournalHead))]
internal sealed partial class JournalHeadJsonContext : JsonSerializerContext;
