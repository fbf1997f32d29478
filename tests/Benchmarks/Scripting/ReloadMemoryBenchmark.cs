using BenchmarkDotNet.Attributes;
using Middleware.Scripting.Engine;

namespace Middleware.Benchmarks.Scripting;

/// <summary>
/// Memory after 1,000 script reloads versus after 10 (target: within 10%). Each reload loads a new collectible
/// context and unloads the previous one; 20 distinct versions are compiled, the rest come from the compile cache.
/// The figures are printed by <see cref="Profile"/> (run once per launch); the benchmark times one reload.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ReloadMemoryBenchmark
{
    private string root = null!;
    private string cache = null!;
    private ScriptEngine engine = null!;
    private ScriptHandle handle = null!;
    private int version;

    [GlobalSetup]
    public void Setup()
    {
        root = ScriptingBenchFixture.CopyScripts();
        cache = Path.Combine(Path.GetTempPath(), "mw-bench-reload-" + Guid.NewGuid().ToString("N"));
        engine = ScriptingBenchFixture.Engine(root, cache);
        handle = engine.HandleFor(Path.Combine(root, "pricing.csx"));
        var (after10, after1000, alive) = Profile(engine, handle, 1000);
        Console.WriteLine($"// ReloadMemory: after 10 reloads {after10:N0} B, after 1,000 reloads {after1000:N0} B, ratio {(double)after1000 / after10:F3}, old contexts alive {alive}");
    }

    /// <summary>One reload (from the compile cache) + one pricing call on the new version.</summary>
    [Benchmark]
    public decimal ReloadAndPrice()
    {
        Reload(engine, handle, version++);
        return engine.Price(ScriptingBenchFixture.Request).TotalTtc;
    }

    internal static (long After10, long After1000, int Alive) Profile(ScriptEngine engine, ScriptHandle handle, int reloads)
    {
        var weak = new List<WeakReference>();
        engine.ContextUnloaded = weak.Add;
        for (var i = 0; i < 10; i++)
        {
            Reload(engine, handle, i);
        }

        var after10 = Settled();
        for (var i = 10; i < reloads; i++)
        {
            Reload(engine, handle, i);
        }

        var after = Settled();
        engine.ContextUnloaded = null;
        return (after10, after, weak.Count(w => w.IsAlive));
    }

    private static void Reload(ScriptEngine engine, ScriptHandle handle, int i)
    {
        File.WriteAllText(handle.Path, File.ReadAllText(Path.Combine(ScriptingBenchFixture.RepositoryScripts, "pricing.csx")) + $"\n// version {i % 20}\n");
        if (!engine.Reload(handle))
        {
            throw new InvalidOperationException("reload failed");
        }
    }

    private static long Settled()
    {
        for (var i = 0; i < 5; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        engine.Dispose();
        Directory.Delete(root, recursive: true);
        Directory.Delete(cache, recursive: true);
    }
}
