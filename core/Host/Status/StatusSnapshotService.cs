using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Api.Reference;
using Middleware.PluginHost;
using Middleware.Scripting.Engine;
using Middleware.Tickets;
using Middleware.Tickets.Closing;

namespace Middleware.Host.Status;

/// <summary>
/// Gathers the operator's snapshot: every part at once, each within its own time limit (<see cref="StatusPartRunner"/>).
/// Features the host lacks (no plugin host, no scripts) show as empty parts; nothing here changes any state.
/// </summary>
internal sealed class StatusSnapshotService(
    IServiceProvider services,
    StatusPartRunner runner,
    SeenReaders readers,
    RecentCardEvents cardEvents,
    RecentLogEvents logEvents,
    HealthReportCache health,
    IHostEnvironment environment,
    TimeProvider time)
{
    /// <summary>How long a part of the snapshot may take: the stores and the plugin catalog answer in milliseconds.</summary>
    public static readonly TimeSpan PartTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The health checks call VEM and Izly, whose own timeouts are longer: the page shows what came by then.</summary>
    public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    private static readonly DateTimeOffset StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public async Task<StatusSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var plugins = runner.RunAsync("plugins", PartTimeout, _ => Task.FromResult(Plugins()), cancellationToken);
        var seen = runner.RunAsync("readers", PartTimeout, readers.ListAsync, cancellationToken);
        var taps = runner.RunAsync("cardEvents", PartTimeout, _ => Task.FromResult(cardEvents.Snapshot()), cancellationToken);
        var outbox = runner.RunAsync("outbox", PartTimeout, OutboxAsync, cancellationToken);
        var reference = runner.RunAsync("reference", PartTimeout, _ => Task.FromResult(Reference()), cancellationToken);
        var scripts = runner.RunAsync("scripts", PartTimeout, _ => Task.FromResult(Scripts()), cancellationToken);
        var checks = runner.RunAsync("health", HealthTimeout, HealthAsync, cancellationToken);
        var errors = runner.RunAsync("recentErrors", PartTimeout, _ => Task.FromResult(logEvents.Snapshot()), cancellationToken);
        var totals = runner.RunAsync("dayTotals", PartTimeout, DayTotalsAsync, cancellationToken);
        await Task.WhenAll(plugins, seen, taps, outbox, reference, scripts, checks, errors, totals).ConfigureAwait(false);
        return new StatusSnapshot(Host(), await plugins, await seen, await taps, await outbox, await reference, await scripts,
            await checks, await errors, await totals);
    }

    private HostStatus Host()
    {
        var now = time.GetUtcNow();
        var assembly = typeof(StatusSnapshotService).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
        using var process = Process.GetCurrentProcess();
        var gcCollections = string.Create(CultureInfo.InvariantCulture, $"{GC.CollectionCount(0)} / {GC.CollectionCount(1)} / {GC.CollectionCount(2)}");
        return new HostStatus(version, environment.EnvironmentName, Environment.MachineName, StartedAt, (long)Math.Max(0, (now - StartedAt).TotalSeconds), now,
            Math.Round(process.TotalProcessorTime.TotalMilliseconds, 1), GC.GetTotalAllocatedBytes(precise: false), gcCollections,
            GC.GetGCMemoryInfo().HeapSizeBytes, process.WorkingSet64, GcMode());
    }

    // What the collector runs as, read from the runtime (not from settings, which have several sources): concurrent
    // collection off leaves the latency mode at Batch; DATAS (server GC only) reports its adaptation mode.
    private static string GcMode()
    {
        var mode = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation";
        var concurrent = System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "non-concurrent" : "concurrent";
        var datas = GC.GetConfigurationVariables().TryGetValue("GCDynamicAdaptationMode", out var adaptation)
            && Convert.ToInt64(adaptation, CultureInfo.InvariantCulture) == 1 && System.Runtime.GCSettings.IsServerGC ? ", DATAS" : "";
        return $"{mode}, {concurrent}{datas}";
    }

    private IReadOnlyList<PluginRow> Plugins() =>
        services.GetService<IPluginCatalog>() is { } catalog
            ? [.. catalog.GetStatuses().Select(p => new PluginRow(p.Id, p.Version, p.State.ToString(), p.Reason, p.Since))]
            : [];

    private async Task<IReadOnlyList<OutboxRow>> OutboxAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ITicketService>() is not { } tickets)
        {
            return [];
        }

        var status = await tickets.GetOutboxStatusAsync(null, cancellationToken).ConfigureAwait(false);
        var unticketed = services.GetService<IUnticketedSalesCounter>() is { } counter
            ? await counter.CountByPointOfSaleAsync(cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, int>();
        var rows = status.PointsOfSale
            .Select(p => new OutboxRow(p.PointOfSale, p.Pending, p.Sent, p.Dead, p.OldestPendingAgeSeconds, p.LastError, unticketed.GetValueOrDefault(p.PointOfSale)))
            .ToList();
        // A point of sale whose only trouble is money taken without a ticket has no outbox row: it must still show.
        rows.AddRange(unticketed.Where(u => u.Value > 0 && rows.All(r => r.PointOfSale != u.Key)).Select(u => new OutboxRow(u.Key, 0, 0, 0, null, null, u.Value)));
        return [.. rows.OrderBy(r => r.PointOfSale, StringComparer.Ordinal)];
    }

    private IReadOnlyList<ReferenceRow> Reference()
    {
        if (services.GetService<IReferenceStore>() is not { } store)
        {
            return [];
        }

        return [.. store.PointsOfSale.Select(store.GetStatus)
            .Select(s => new ReferenceRow(s.PointOfSale, s.HasData, s.LastSuccessUtc, s.AgeSeconds, s.IsStale, s.LastError, s.ConsecutiveFailures))];
    }

    private IReadOnlyList<ScriptRow> Scripts() =>
        services.GetService<IScriptEngine>() is { } engine
            ? [.. engine.GetStatus().Select(s => new ScriptRow(s.File, s.Kind.ToString(), s.State.ToString(), [.. s.Errors.Select(e => e.ToString())], s.LastFault, s.FaultCount))]
            : [];

    private async Task<IReadOnlyList<HealthRow>> HealthAsync(CancellationToken cancellationToken)
    {
        var report = await health.GetAsync(cancellationToken).ConfigureAwait(false);
        return [.. report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new HealthRow(e.Key, e.Value.Status.ToString(), e.Value.Description ?? e.Value.Exception?.Message, e.Value.Duration.TotalMilliseconds))];
    }

    private async Task<IReadOnlyList<DayTotalsRow>> DayTotalsAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<DayTotalsPreview>() is not { } preview)
        {
            return [];
        }

        var days = await preview.TodayAsync(cancellationToken).ConfigureAwait(false);
        return [.. days.Select(d => new DayTotalsRow(d.PointOfSale, d.Date, d.Sales.Tickets, d.Sales.TotalTtc, d.Refunds.Tickets, d.Refunds.TotalTtc, d.NetTtc,
            [.. d.Sales.ByPayment.Concat(d.Refunds.ByPayment).GroupBy(p => p.CodeReglement).OrderBy(g => g.Key)
                .Select(g => new PaymentRow(g.Key, g.Sum(p => p.Count), g.Sum(p => p.Amount)))]))];
    }
}
