using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Telemetry;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Sending;

/// <summary>The result of one sender pass.</summary>
/// <param name="Sent">Tickets VEM accepted in this pass.</param>
/// <param name="Dead">Tickets VEM refused (moved to the dead letters).</param>
/// <param name="MoreReady">Work remains that can be sent now.</param>
/// <param name="NextRetryAt">Earliest time a backed-off point of sale may be tried again.</param>
internal readonly record struct SendPassResult(int Sent, int Dead, bool MoreReady, DateTimeOffset? NextRetryAt);

/// <summary>
/// Uploads pending tickets in order per point of sale (<c>idTicketEntete</c> order): a transient failure stops that
/// point of sale until its backoff expires, so no ticket overtakes an earlier one; a rejection (422) moves the ticket to
/// the dead letters and the next one goes. Points of sale are sent in parallel. Uploading twice is harmless (VEM dedups
/// by idTicketEntete), so the "sent" bookkeeping is written after each batch, not per ticket.
/// </summary>
internal sealed class TicketSender(TicketDatabase db, TicketsOptions options, ITicketUploader uploader, TimeProvider time, ILogger<TicketSender> logger)
{
    private const int MaxBatchesPerPass = 20;
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset NextAttempt)> backoff = new();

    public async Task<SendPassResult> SendPassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var points = await Task.Run(PendingPointsOfSale, cancellationToken).ConfigureAwait(false);
        var ready = points.Where(p => !backoff.TryGetValue(p, out var b) || b.NextAttempt <= now).ToList();
        var results = await Task.WhenAll(ready.Select(p => SendPointOfSaleAsync(p, cancellationToken))).ConfigureAwait(false);
        DateTimeOffset? next = backoff.IsEmpty ? null : backoff.Values.Min(b => b.NextAttempt);
        return new SendPassResult(results.Sum(r => r.Sent), results.Sum(r => r.Dead), results.Any(r => r.More), next);
    }

    private List<string> PendingPointsOfSale()
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT pos FROM tickets WHERE state = 0";
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    private sealed record Pending(long Id, string Body, bool Online, int Attempts);

    private async Task<(int Sent, int Dead, bool More)> SendPointOfSaleAsync(string pos, CancellationToken cancellationToken)
    {
        var posId = PointOfSaleId.Parse(pos);
        int sent = 0, dead = 0;
        for (var round = 0; round < MaxBatchesPerPass; round++)
        {
            var batch = await Task.Run(() => LoadBatch(pos), cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return (sent, dead, false);
            }

            var done = new List<(long Id, TicketUploadResponse Response)>(batch.Count);
            (long Id, string Error)? failure = null;
            foreach (var t in batch)
            {
                TicketUploadResponse response;
                var started = time.GetTimestamp();
                using var span = MiddlewareTelemetry.Source.StartActivity("ticket.upload");
                try
                {
                    var ticket = JsonSerializer.Deserialize<VemTicket>(t.Body, TicketService.Json)!;
                    response = await uploader.UploadAsync(posId, ticket, t.Online, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Record(pos, done, null);
                    throw;
                }
                catch (Exception ex)
                {
                    response = TicketUploadResponse.Transient(ex.GetType().Name + ": " + ex.Message);
                }

                TicketMetrics.Uploaded(time.GetElapsedTime(started), response.Status);
                span?.SetTag(MiddlewareTelemetry.Tags.Result, TicketMetrics.ResultOf(response.Status));
                if (response.Status == TicketUploadStatus.TransientFailure)
                {
                    failure = (t.Id, response.Message ?? "transient failure");
                    break;
                }

                done.Add((t.Id, response));
                if (response.IsAccepted)
                {
                    sent++;
                }
                else
                {
                    dead++;
                    // A dead ticket is a sale VEM does not have: an alert for the operator (outbox.status counts them).
                    logger.LogError("ALERT: VEM refused ticket {IdTicketEntete} of {PointOfSale}: {Code} {Message}; moved to dead letters", t.Id, pos, response.Code, response.Message);
                }
            }

            await Task.Run(() => Record(pos, done, failure), CancellationToken.None).ConfigureAwait(false);
            if (failure is { } f)
            {
                var failures = backoff.TryGetValue(pos, out var b) ? b.Failures + 1 : 1;
                var delay = Backoff(failures);
                backoff[pos] = (failures, time.GetUtcNow() + delay);
                logger.LogWarning("Upload of ticket {IdTicketEntete} of {PointOfSale} failed ({Error}); retry in {Delay}", f.Id, pos, f.Error, delay);
                return (sent, dead, false);
            }

            backoff.TryRemove(pos, out _);
            if (batch.Count < options.BatchSize)
            {
                return (sent, dead, false);
            }
        }

        return (sent, dead, true);
    }

    /// <summary>Exponential backoff with jitter, capped.</summary>
    internal TimeSpan Backoff(int failures)
    {
        var baseMs = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        baseMs = Math.Min(baseMs, options.MaxBackoff.TotalMilliseconds);
        var jitter = 1 + (options.BackoffJitter * ((Random.Shared.NextDouble() * 2) - 1));
        return TimeSpan.FromMilliseconds(Math.Max(0, baseMs * jitter));
    }

    /// <summary>The next pending tickets of one till, oldest first.</summary>
    /// <remarks>INDEXED BY: without it SQLite walks the primary key (pos, id) and reads every ticket the till ever sent,
    /// overflow pages included, to test its state: 1,600 page reads per sale once 2,000 tickets were sent, and growing.</remarks>
    internal const string PendingBatchSql =
        "SELECT id, body, online, attempts FROM tickets INDEXED BY ix_tickets_state WHERE state = 0 AND pos = $p ORDER BY id LIMIT $l";

    private List<Pending> LoadBatch(string pos)
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = PendingBatchSql;
        cmd.Parameters.AddWithValue("$p", pos);
        cmd.Parameters.AddWithValue("$l", Math.Max(1, options.BatchSize));
        using var r = cmd.ExecuteReader();
        var list = new List<Pending>();
        while (r.Read())
        {
            list.Add(new Pending(r.GetInt64(0), r.GetString(1), r.GetInt32(2) != 0, r.GetInt32(3)));
        }

        return list;
    }

    private void Record(string pos, List<(long Id, TicketUploadResponse Response)> done, (long Id, string Error)? failure)
    {
        if (done.Count == 0 && failure is null)
        {
            return;
        }

        using var c = db.Open(durable: false);
        using var tx = c.BeginTransaction();
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        foreach (var (id, response) in done)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            // Only a pending ticket changes: a replay or edit that raced this upload keeps its own state.
            cmd.CommandText = response.IsAccepted
                ? "UPDATE tickets SET state = 1, attempts = attempts + 1, sent_at = $at, error_code = NULL, last_error = NULL WHERE pos = $p AND id = $id AND state = 0"
                : "UPDATE tickets SET state = 2, attempts = attempts + 1, error_code = $c, last_error = $m WHERE pos = $p AND id = $id AND state = 0";
            cmd.Parameters.AddWithValue("$p", pos);
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$at", now);
            cmd.Parameters.AddWithValue("$c", (object?)response.Code ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$m", (object?)response.Message ?? "rejected");
            if (cmd.ExecuteNonQuery() > 0)
            {
                TicketEventKinds.Add(c, tx, pos, id, now, response.Status.ToString(), response.Code, response.Message);
            }
        }

        if (failure is { } f)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE tickets SET attempts = attempts + 1, last_error = $m WHERE pos = $p AND id = $id AND state = 0";
            cmd.Parameters.AddWithValue("$p", pos);
            cmd.Parameters.AddWithValue("$id", f.Id);
            cmd.Parameters.AddWithValue("$m", f.Error);
            if (cmd.ExecuteNonQuery() > 0)
            {
                TicketEventKinds.Add(c, tx, pos, f.Id, now, nameof(TicketUploadStatus.TransientFailure), null, f.Error);
            }
        }

        tx.Commit();
    }
}
