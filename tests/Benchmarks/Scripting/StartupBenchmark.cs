using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Middleware.Scripting.Compilation;

namespace Middleware.Benchmarks.Scripting;

/// <summary>
/// Start-up: compiling every default script (default pricing, mapping, RU 9 pricing) with a warm on-disk compile
/// cache versus without one (target ≤ 300 ms with it). Cold start: each launch is a new process, so the first
/// measurement includes JIT and, without the cache, loading Roslyn.
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 3, warmupCount: 0, iterationCount: 1)]
public class StartupBenchmark
{
    private string root = null!;
    private string cache = null!;

    [GlobalSetup(Target = nameof(WithoutCache))]
    public void SetupCold()
    {
        // Nothing compiled in this process before the measurement: Roslyn is loaded and JIT-compiled by it.
        root = ScriptingBenchFixture.CopyScripts();
        cache = Path.Combine(Path.GetTempPath(), "mw-bench-cache-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(cache);
    }

    [GlobalSetup(Target = nameof(WithCompileCache))]
    public void SetupCached()
    {
        SetupCold();
        // Fill the cache as a previous run of the host would have, with the compiler alone: the engine's own
        // start-up path (hash, cache read, collectible load) stays cold for the measurement.
        foreach (var path in Directory.EnumerateFiles(root, "*.csx", SearchOption.AllDirectories))
        {
            var kind = Path.GetFileName(path) == "mapping.csx" ? ScriptKind.Mapping : ScriptKind.Pricing;
            var text = File.ReadAllText(path);
            var hash = ScriptIdentity.Hash(kind, path, text);
            var outcome = ScriptCompiler.Compile(kind, path, text, hash);
            File.WriteAllBytes(Path.Combine(cache, hash + ".dll"), outcome.Image ?? throw new InvalidOperationException(string.Join("; ", outcome.Errors)));
        }
    }

    [Benchmark(Baseline = true)]
    public int WithoutCache()
    {
        using var engine = ScriptingBenchFixture.Engine(root, cache: null);
        engine.ReloadAll();
        return engine.GetStatus().Count;
    }

    [Benchmark]
    public int WithCompileCache()
    {
        using var engine = ScriptingBenchFixture.Engine(root, cache);
        engine.ReloadAll();
        return engine.GetStatus().Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(root, recursive: true);
        Directory.Delete(cache, recursive: true);
    }
}
