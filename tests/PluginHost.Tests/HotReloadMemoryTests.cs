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
/// Memory after many hot reloads of one plugin stays within 10% of memory after 10 (managed heap and process
/// private memory, each measured after an aggressive full collection that also returns free memory to the OS).
/// Short profile: 100 reloads, with every test run. Long profile (the figure), on demand:
/// <c>MW_HOT_RELOAD_PROFILE=1000 dotnet test tests/PluginHost.Tests --filter FullyQualifiedName~HotReloadMemoryTests</c>.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class HotReloadMemoryTests(ITestOutputHelper output)
{
    private static int Reloads =>
        int.TryParse(Environment.GetEnvironmentVariable("MW_HOT_RELOAD_PROFILE"), out var n) && n >= 20 ? n : 100;

    [Fact]
    public async Task Memory_after_many_reloads_stays_within_10_percent_of_memory_after_10()
    {
        var reloads = Reloads;
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", settings: new { prefix = "m-" }));
        var catalog = bed.CreateCatalog();
        bed.Logs.Close(); // 1,000 reloads of log lines would only measure the test output
        await catalog.StartAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        (long Managed, long Private) baseline = default;
        for (var i = 1; i <= reloads; i++)
        {
            var status = await catalog.ReloadAsync("test.echo", CancellationToken.None);
            Assert.Equal(PluginState.Active, status.State);
            Assert.Equal("v1:m-" + i, (await catalog.EchoAsync(i.ToString())).IdSupport);
            if (i == 10)
            {
                baseline = await MeasureAsync(catalog);
                output.WriteLine($"after 10: managed {baseline.Managed / 1024} KiB, private {baseline.Private / 1024} KiB");
            }
            else if (i % (reloads / 4) == 0 && i != reloads)
            {
                var m = await MeasureAsync(catalog);
                output.WriteLine($"after {i}: managed {m.Managed / 1024} KiB, private {m.Private / 1024} KiB");
            }
        }

        var elapsed = watch.Elapsed;
        var final = await MeasureAsync(catalog);
        var history = catalog.GetUnloadHistory();
        output.WriteLine($"after {reloads}: managed {final.Managed / 1024} KiB ({100.0 * final.Managed / baseline.Managed:0.0}%), private {final.Private / 1024} KiB ({100.0 * final.Private / baseline.Private:0.0}%)");
        output.WriteLine($"{reloads} reloads in {elapsed.TotalSeconds:0.0} s ({elapsed.TotalMilliseconds / reloads:0.0} ms each, measurements included)");

        Assert.Equal(Math.Min(reloads, 256), history.Count);
        Assert.All(history, r => Assert.True(r.Unloaded, $"{r.Version} not unloaded"));
        Assert.True(final.Managed <= baseline.Managed * 1.10, $"managed heap grew from {baseline.Managed} to {final.Managed} bytes");
        Assert.True(final.Private <= baseline.Private * 1.10, $"private memory grew from {baseline.Private} to {final.Private} bytes");
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
        using var process = Process.GetCurrentProcess();
        return (managed, process.PrivateMemorySize64);
    }
}
