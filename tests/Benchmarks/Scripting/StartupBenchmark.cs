using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

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
        // Filled by a whole engine start in another process, as a previous run of the host would have: the images
        // carry this installation's HMAC (images written here without it were refused, and the "cached" start
        // recompiled everything with the Roslyn this set-up had just warmed), and this process stays cold.
        CacheFiller.FillInChildProcess(root, cache);
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
        // A start that compiled is not the figure this benchmark claims: fail rather than report it.
        return engine.CompilationCount == 0 ? engine.GetStatus().Count
            : throw new InvalidOperationException($"the cached start compiled {engine.CompilationCount} scripts");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(root, recursive: true);
        Directory.Delete(cache, recursive: true);
        File.Delete(cache + ".key");
    }
}
