using System.Diagnostics;

namespace Middleware.Benchmarks.Scripting;

/// <summary>
/// Whole-process measurements BenchmarkDotNet does not express well (a real restart, 1,000 reloads), run as
/// <c>Middleware.Benchmarks scripting-probe startup &lt;cache-dir|none&gt;</c> and
/// <c>Middleware.Benchmarks scripting-probe reload-memory 1000</c> from the repository root.
/// Call <see cref="Run"/> from the benchmarks' entry point when its first argument is <c>scripting-probe</c>.
/// </summary>
public static class ScriptingProbes
{
    public static int Run(string[] args)
    {
        switch (args)
        {
            case ["scripting-probe", "startup", var cache]:
            {
                // One fresh process per measurement: the figure includes JIT and (without cache) loading Roslyn.
                var sw = Stopwatch.StartNew();
                using var engine = ScriptingBenchFixture.Engine(ScriptingBenchFixture.RepositoryScripts, cache == "none" ? null : cache);
                engine.ReloadAll();
                var ms = sw.Elapsed.TotalMilliseconds;
                var status = engine.GetStatus();
                Console.WriteLine($"startup {(cache == "none" ? "without cache" : "with cache")}: {status.Count} scripts, {ms:F0} ms, compiled {engine.CompilationCount}, all active {status.All(s => s.State == Middleware.Scripting.Engine.ScriptState.Active)}");
                return 0;
            }

            case ["scripting-probe", "reload-memory", var count]:
            {
                var root = ScriptingBenchFixture.CopyScripts();
                var cacheDir = Path.Combine(Path.GetTempPath(), "mw-probe-reload-" + Guid.NewGuid().ToString("N"));
                using (var engine = ScriptingBenchFixture.Engine(root, cacheDir))
                {
                    var handle = engine.HandleFor(Path.Combine(root, "pricing.csx"));
                    var sw = Stopwatch.StartNew();
                    var (after10, after, alive) = ReloadMemoryBenchmark.Profile(engine, handle, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
                    Console.WriteLine($"reload-memory: after 10 reloads {after10:N0} B, after {count} reloads {after:N0} B, ratio {(double)after / after10:F3}, old contexts still alive {alive}, {sw.Elapsed.TotalSeconds:F1} s, compiled {engine.CompilationCount}");
                }

                Directory.Delete(root, true);
                Directory.Delete(cacheDir, true);
                return 0;
            }

            default:
                Console.Error.WriteLine("usage: scripting-probe startup <cache-dir|none> | scripting-probe reload-memory <count>");
                return 2;
        }
    }
}
