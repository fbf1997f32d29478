using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>Runs alone (no parallel test allocating meanwhile), so that heap sizes compare.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;

[Collection(nameof(SerialCollection))]
public sealed class ReloadMemoryTests : IDisposable
{
    private readonly TestScripts scripts = new();

    private static string PriceScript(decimal price) => $"foreach (var l in Basket.Lines) {{ Add(l.CodeArticle, l.Quantity, {price.ToString(System.Globalization.CultureInfo.InvariantCulture)}m); }}\n";

    [Fact]
    public void Reloads_unload_old_versions_and_memory_does_not_grow()
    {
        // Short profile of the 1,000-reload benchmark (tests/Benchmarks/Scripting/ReloadMemoryBenchmark.cs):
        // 12 distinct versions compiled once, then reloaded from the compile cache in turn, each into a new context.
        var cache = Path.Combine(Path.GetTempPath(), "mw-reload-cache-" + Guid.NewGuid().ToString("N"));
        using var engine = scripts.Engine(cache: cache);
        var weak = new List<WeakReference>();
        engine.ContextUnloaded = weak.Add;
        var handle = engine.HandleFor(Path.Combine(scripts.Root, "sites/churn/pricing.csx"));
        Directory.CreateDirectory(Path.Combine(scripts.Root, "sites/churn"));

        void Cycle(int i)
        {
            File.WriteAllText(handle.Path, PriceScript(1m + (i % 12)));
            Assert.True(engine.Reload(handle));
            Assert.Equal(1m + (i % 12), engine.Price(Request("churn", Student, Item(1201))).TotalTtc);
        }

        for (var i = 0; i < 10; i++)
        {
            Cycle(i);
        }

        var after10 = SettledMemory();
        for (var i = 10; i < 250; i++)
        {
            Cycle(i);
        }

        var after250 = SettledMemory();
        Assert.True(after250 <= after10 * 1.10, $"memory after 10 reloads {after10:N0} B, after 250 {after250:N0} B");
        Assert.Equal(249, weak.Count);
        Assert.True(AllCollected(weak), $"{weak.Count(w => w.IsAlive)} old script contexts are still alive");
        Assert.Equal(12, engine.CompilationCount);
        Directory.Delete(cache, true);
    }

    private static long SettledMemory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static bool AllCollected(List<WeakReference> weak)
    {
        for (var i = 0; i < 20 && weak.Any(w => w.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return weak.All(w => !w.IsAlive);
    }

    public void Dispose() => scripts.Dispose();
}
