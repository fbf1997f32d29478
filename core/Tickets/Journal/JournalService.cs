using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Domain.Errors;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Journal;

/// <summary>What <c>journal.status</c> answers.</summary>
public sealed record JournalStatus(
    [property: JsonPropertyName("entries")] long Entries,
    [property: JsonPropertyName("lastSeq")] long LastSeq,
    [property: JsonPropertyName("lastHash")] string LastHash,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("publicKey")] string PublicKey,
    [property: JsonPropertyName("lastVerification")] JournalVerification? LastVerification,
    [property: JsonPropertyName("verifying")] bool Verifying);

/// <summary>
/// The sales journal of one host: verification (at start, on demand), status and archive export. Appends are made by
/// the ticket writer and the closings through <see cref="Writer"/>, in their own transactions.
/// </summary>
public sealed class JournalService
{
    private readonly TicketDatabase db;
    private readonly JournalWriter writer;
    private readonly JournalOptions options;
    private readonly TimeProvider time;
    private readonly ILogger log;
    private readonly SemaphoreSlim verifying = new(1, 1);
    private volatile JournalVerification? last;

    internal JournalService(TicketDatabase db, JournalWriter writer, JournalOptions options, TimeProvider time, ILogger<JournalService>? logger = null)
    {
        this.db = db;
        this.writer = writer;
        this.options = options;
        this.time = time;
        log = (ILogger?)logger ?? NullLogger.Instance;
    }

    public JournalWriter Writer => writer;

    public JournalOptions Options => options;

    /// <summary>
    /// Journals the outbox's tickets that an older version committed before the journal existed (once: when the
    /// journal has no ticket entry yet). Marked as adopted in the key entry's transaction, so an audit sees when.
    /// </summary>
    public int AdoptUnjournaledTickets()
    {
        using var c = db.Open(durable: true);
        using var tx = c.BeginTransaction(deferred: false);
        using (var any = c.CreateCommand())
        {
            any.Transaction = tx;
            any.CommandText = "SELECT EXISTS (SELECT 1 FROM journal WHERE kind IN ('ticket', 'ticket.remapped'))";
            if (Convert.ToInt64(any.ExecuteScalar(), CultureInfo.InvariantCulture) != 0)
            {
                return 0;
            }
        }

        var rows = new List<(string Pos, long Id, string Body)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT pos, id, body FROM tickets ORDER BY committed_at, pos, id";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
            }
        }

        JournalHead? head = null;
        var now = time.GetUtcNow();
        foreach (var (pos, id, body) in rows)
        {
            head = writer.Append(c, tx, JournalKinds.Ticket, pos, id.ToString(CultureInfo.InvariantCulture), body, now);
        }

        tx.Commit();
        writer.Committed(head);
        if (rows.Count > 0)
        {
            log.LogWarning("Journal: {Count} tickets committed before the journal existed were journaled now, as they are in the outbox", rows.Count);
        }

        return rows.Count;
    }

    /// <summary>Appends one entry in a transaction of its own (a reconciliation's result); returns its number.</summary>
    public Task<long> AppendAsync(string kind, string? pointOfSale, string? reference, string body, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: true);
        using var tx = c.BeginTransaction(deferred: false);
        var head = writer.Append(c, tx, kind, pointOfSale, reference, body, time.GetUtcNow());
        tx.Commit();
        writer.Committed(head);
        return head.Seq;
    }, cancellationToken);

    /// <summary>Verifies the whole journal (one run at a time; a second caller waits for it).</summary>
    public async Task<JournalVerification> VerifyAsync(bool signatures, CancellationToken cancellationToken)
    {
        await verifying.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await Task.Run(() =>
            {
                using var c = db.Open(durable: false);
                return JournalStore.Verify(c, writer.Anchor.Path, signatures, time.GetUtcNow(), cancellationToken, writer.Key.KeyId);
            }, cancellationToken).ConfigureAwait(false);
            last = result;
            foreach (var problem in result.Problems)
            {
                log.LogCritical("Sales journal {Kind} at entry {Seq}: {Detail}", problem.Kind, problem.Seq, problem.Detail);
            }

            return result;
        }
        finally
        {
            verifying.Release();
        }
    }

    public Task<JournalStatus> StatusAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: false);
        var head = JournalStore.Head(c);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM journal";
        var count = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        return new JournalStatus(count, head.Seq, head.Hash, writer.Key.KeyId, Convert.ToHexStringLower(writer.Key.PublicKey), last, verifying.CurrentCount == 0);
    }, cancellationToken);

    /// <summary>Exports entries to a signed archive in the archive folder; <paramref name="fileName"/> is a bare name.</summary>
    public Task<JournalExport> ExportAsync(long fromSeq, long toSeq, string? fileName, CancellationToken cancellationToken) => Task.Run(() =>
    {
        if (fileName is not null && (fileName.Length is 0 or > 100 || fileName != Path.GetFileName(fileName) || fileName.StartsWith('.')))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "fileName must be a plain file name (the archive folder is the host's).");
        }

        using var c = db.Open(durable: false);
        var now = time.GetUtcNow();
        var folder = Path.GetFullPath(options.ArchiveDirectory);
        // Without a file name: the time, then -2, -3... when exports of the same second took the name (it happened with
        // two exports at once, which answered an internal error).
        for (var attempt = 1; ; attempt++)
        {
            var name = fileName ?? string.Create(CultureInfo.InvariantCulture, $"journal-{now:yyyyMMdd-HHmmss}{(attempt == 1 ? "" : "-" + attempt)}.json");
            var path = Path.Combine(folder, name);
            try
            {
                var (from, to) = JournalArchive.Export(c, writer.Key, fromSeq, toSeq, path, now, cancellationToken);
                log.LogInformation("Journal entries {From} to {To} archived to {Path}", from, to, path);
                return new JournalExport(path, from, to, writer.Key.KeyId);
            }
            catch (ArchiveNameTakenException) when (fileName is null && attempt < 100)
            {
                // Taken: the next name.
            }
            catch (ArgumentException ex)
            {
                throw new MiddlewareException(ErrorCode.InvalidRequest, ex.Message);
            }
        }
    }, cancellationToken);
}

/// <summary>Where an archive was written, and what it holds.</summary>
public sealed record JournalExport(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("fromSeq")] long FromSeq,
    [property: JsonPropertyName("toSeq")] long ToSeq,
    [property: JsonPropertyName("keyId")] string KeyId);
