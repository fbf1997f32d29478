using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Middleware.Tickets.Sending;

namespace Middleware.Host.Health;

/// <summary>
/// <c>stores</c>: each SQLite store (outbox, payment journal, sales, idempotency, reference data) opens read-only and
/// answers a trivial query within <see cref="HealthOptions.LocalTimeout"/>; Unhealthy when one does not. The outbox's
/// dead tickets and oldest pending age make it Degraded past <see cref="HealthOptions.OutboxDeadDegraded"/> and
/// <see cref="HealthOptions.OutboxOldestPendingDegraded"/>.
/// </summary>
internal sealed class StoresHealthCheck(IConfiguration configuration, TicketQueueDepth outbox, IOptions<HealthOptions> options) : IHealthCheck
{
    /// <summary>The store settings, resolved to absolute paths at start (InstallationPaths); Sales:DatabasePath unset is
    /// the payment journal's file.</summary>
    private static readonly string[] StoreSettings =
        ["Tickets:DatabasePath", "Payments:DatabasePath", "Sales:DatabasePath", "Pipe:IdempotencyDatabasePath", "CrousApis:Reference:DatabasePath"];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = options.Value.LocalTimeout;
        var failures = new List<string>();
        var data = new Dictionary<string, object>();
        foreach (var setting in StoreSettings)
        {
            if (configuration[setting] is not { Length: > 0 } path)
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await Task.Run(() => Probe(path, limit), cancellationToken).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
                data[setting] = $"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.#} ms";
            }
            catch (TimeoutException)
            {
                failures.Add($"{setting} ({Path.GetFileName(path)}) did not answer within {limit.TotalSeconds:0.#} s");
            }
            catch (SqliteException ex)
            {
                failures.Add($"{setting} ({Path.GetFileName(path)}): {ex.Message}");
            }
        }

        if (failures.Count > 0)
        {
            return HealthCheckResult.Unhealthy(string.Join("; ", failures), data: data);
        }

        TicketQueueSnapshot queue;
        try
        {
            queue = await Task.Run(outbox.Read, cancellationToken).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or SqliteException)
        {
            return HealthCheckResult.Unhealthy($"The outbox's queue could not be read: {ex.Message}", data: data);
        }

        data["pending"] = queue.Pending;
        data["dead"] = queue.Dead;
        data["oldestPendingSeconds"] = Math.Round(queue.OldestPendingAge.TotalSeconds);
        var settings = options.Value;
        var warnings = new List<string>();
        if (queue.Dead >= settings.OutboxDeadDegraded)
        {
            warnings.Add($"{queue.Dead} dead ticket(s): sales VEM refused (mwctl outbox list)");
        }

        if (queue.OldestPendingAge >= settings.OutboxOldestPendingDegraded)
        {
            warnings.Add($"the oldest pending ticket waits since {queue.OldestPendingAge.TotalMinutes:0} min");
        }

        return warnings.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", warnings) + ".", data: data)
            : HealthCheckResult.Healthy($"Stores answer; outbox: {queue.Pending} pending, {queue.Dead} dead.", data);
    }

    // Read-only and unpooled: a health check never creates a store nor keeps a connection open.
    private static void Probe(string path, TimeSpan limit)
    {
        if (!File.Exists(path))
        {
            throw new SqliteException("the file does not exist", 14);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)limit.TotalSeconds),
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema";
        command.ExecuteScalar();
    }
}
