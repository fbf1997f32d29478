using System.Globalization;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// The host process's runtime figures from its own <c>status.get</c> (the till's account is the host's, so an operator):
/// CPU, bytes allocated and collections per generation since its start. Two readings give a run's allocation budget.
/// The status call itself allocates (its parts run after the figures are read): a few hundred kilobytes once per run,
/// under 0.5 KB a sale over 1,000 sales.
/// </summary>
internal sealed record HostRuntime(double CpuMs, long AllocatedBytes, long Gen0, long Gen1, long Gen2, long HeapBytes, long WorkingSetBytes, string Gc)
{
    public static async Task<HostRuntime> ReadAsync(MiddlewareClient till)
    {
        var host = (await till.CallAsync("status.get")).GetProperty("host");
        var collections = host.GetProperty("gcCollections").GetString()!.Split('/', StringSplitOptions.TrimEntries)
            .Select(c => long.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        return new HostRuntime(host.GetProperty("processCpuMs").GetDouble(), host.GetProperty("allocatedBytes").GetInt64(),
            collections[0], collections[1], collections[2], host.GetProperty("managedHeapBytes").GetInt64(),
            host.GetProperty("workingSetBytes").GetInt64(), host.GetProperty("gc").GetString() ?? "?");
    }

    /// <summary>What the host spent between <paramref name="before"/> and this reading, per sale.</summary>
    public string Budget(HostRuntime before, int sales)
    {
        double PerThousand(long after, long earlier) => (after - earlier) * 1000.0 / sales;
        return string.Create(CultureInfo.InvariantCulture,
            $"host allocation budget ({Gc} GC): {(AllocatedBytes - before.AllocatedBytes) / (double)sales / 1024:F1} KiB allocated per sale; " +
            $"collections per 1,000 sales: gen0 {PerThousand(Gen0, before.Gen0):F1}, gen1 {PerThousand(Gen1, before.Gen1):F1}, gen2 {PerThousand(Gen2, before.Gen2):F1}; " +
            $"managed heap {HeapBytes / 1048576.0:F1} MiB, working set {WorkingSetBytes / 1048576.0:F1} MiB");
    }
}
