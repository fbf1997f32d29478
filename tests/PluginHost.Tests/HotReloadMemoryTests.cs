using System.Diagnostics;
using Middleware.Contracts.Plugins;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Memory (runs alone)";
}

/// <summary>
/// Memory over the last quarter of many hot reloads of one plugin stays flat (managed heap and process private resident
/// memory, each measured after an aggressive full collection that also returns free memory to the OS), and every
/// context unloads. With every test run: 1,000 reloads (about 20 s; 400 left the native figure mid-step too often).
/// Longer, on demand: <c>MW_HOT_RELOAD_PROFILE=5000 dotnet test tests/PluginHost.Tests --filter FullyQualifiedName~HotReloadMemoryTests</c>.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class HotReloadMemoryTests(ITestOutputHelper output)
{
    private static int Reloads =>
        int.TryParse(Environment.GetEnvironmentVariable("MW_HOT_RELOAD_PROFILE"), out var n) && n >= 20 ? n : 1000;

    [Fact]
    public async Task Memory_over_the_last_quarter_of_reloads_stays_flat_and_every_context_unloads()
    {
        var reloads = Reloads;
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", settings: new { prefix = "m-" }));
        var catalog = bed.CreateCatalog();
        bed.Logs.Close(); // 1,000 reloads of log lines would only measure the test output
        await catalog.StartAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        (long Managed, long Private) baseline = default, warm = default;
        var warmAt = 0;
        for (var i = 1; i <= reloads; i++)
        {
            var status = await catalog.ReloadAsync("test.echo", CancellationToken.None);
            Assert.Equal(PluginState.Active, status.State);
            Assert.Equal("v1:m-" + i, (await catalog.EchoAsync(i.ToString())).IdSupport);
            if (i == 10)
            {
                baseline = await MeasureAsync(catalog);
                output.WriteLine($"after 10: managed {baseline.Managed / 1024} KiB, private {baseline.Private / 1024} KiB, threads {Process.GetCurrentProcess().Threads.Count}");
            }
            else if (i % (reloads / 4) == 0 && i != reloads)
            {
                var m = await MeasureSettledAsync(catalog);
                warm = m; // the last quarter's figure is the reference (see the assertion)
                warmAt = i;

                output.WriteLine($"after {i}: managed {m.Managed / 1024} KiB, private {m.Private / 1024} KiB, threads {Process.GetCurrentProcess().Threads.Count}");
            }
        }

        var elapsed = watch.Elapsed;
        var final = await MeasureSettledAsync(catalog);
        var history = catalog.GetUnloadHistory();
        output.WriteLine($"threads {Process.GetCurrentProcess().Threads.Count}; after {reloads}: managed {final.Managed / 1024} KiB ({100.0 * final.Managed / baseline.Managed:0.0}% of after 10), private {final.Private / 1024} KiB ({100.0 * final.Private / baseline.Private:0.0}% of after 10, {100.0 * final.Private / warm.Private:0.0}% of after {warmAt})");
        output.WriteLine($"{reloads} reloads in {elapsed.TotalSeconds:0.0} s ({elapsed.TotalMilliseconds / reloads:0.0} ms each, measurements included)");

        Assert.Equal(Math.Min(reloads, 256), history.Count);
        Assert.All(history, r => Assert.True(r.Unloaded, $"{r.Version} not unloaded"));
        // The managed heap is compared with the figure after the third quarter too: it fills bounded structures (the
        // unload history, pools) over the first hundred reloads, by 20-25% of a 1.4 MB heap (measured 2026-12-07: 1,362 KiB
        // after 10, 1,669 after 100, then 1,682, 1,696, 1,700), then stays flat. A leaked context holds its assembly
        // (hundreds of KiB) and would grow the last quarter by tens of MB.
        Assert.True(final.Managed <= warm.Managed * 1.10, $"managed heap grew from {warm.Managed} after {warmAt} reloads to {final.Managed} bytes");
        // Native private memory is compared with the figure after the third quarter: the runtime, the allocator and the
        // thread pool settle over the first few hundred reloads, at a pace that depends on the machine's load (measured:
        // 10.1 MB after 10, 12.2 after 250 with 3 more threads, then 11.0, 11.5, 11.7 MB up to 1,000; under a full
        // parallel test run 16.5, 19.7, 20.8, 21.2 MB after 100, 200, 300, 400: slowing, not a leak). A leak per reload
        // (an assembly image is hundreds of KiB) shows as growth over the last quarter; every context must also unload.
        // Native memory also moves in steps of a few MB (an allocator arena, a GC region): with 400 reloads a transient
        // high often fell in the last quarter (measured 2026-12-07: 15.9 -> 21.0 MB, then 13.2 MB after 1,000 reloads), so
        // the CI profile makes 1,000 (about 22 s) and allows one such step; a leak of 250 assembly images is far more.
        Assert.True(final.Private <= warm.Private * 1.25, $"private memory grew from {warm.Private} after {warmAt} reloads to {final.Private} bytes");
    }

    /// <summary>The smallest of three measurements: a single one may catch the allocator or the GC mid-way.</summary>
    private static async Task<(long Managed, long Private)> MeasureSettledAsync(PluginCatalog catalog)
    {
        var best = await MeasureAsync(catalog);
        for (var i = 0; i < 2; i++)
        {
            var next = await MeasureAsync(catalog);
            best = (Math.Min(best.Managed, next.Managed), Math.Min(best.Private, next.Private));
        }

        return best;
    }

    private static async Task<(long Managed, long Private)> MeasureAsync(PluginCatalog catalog)
    {
        await catalog.WaitForUnloadProofsAsync();
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // Aggressive: compacts and decommits free GC memory, so "private" measures what is really held.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        return (managed, PrivateResidentBytes());
    }

    /// <summary>
    /// Private memory the process really holds. On Linux, <see cref="Process.PrivateMemorySize64"/> is VmData: reserved
    /// address space, where each new thread-pool thread adds its whole stack reservation (8-26 MB jumps seen with the
    /// thread count, not with the reloads); RssAnon counts the anonymous pages actually resident.
    /// </summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static long PrivateResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            // Like the aggressive GC above for the managed heap: give back what the C allocator keeps of freed
            // native memory (the runtime's per-context structures of unloaded plugins), so that what remains is held.
            _ = MallocTrim(0);
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PrivateMemorySize64;
    }
}
