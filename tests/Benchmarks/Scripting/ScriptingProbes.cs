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
                // The probe's own price list (a host brings its VEM data): loaded first, reported apart.
                _ = ScriptingBenchFixture.Catalog;
                var fixture = sw.Elapsed.TotalMilliseconds;
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
                using var engine = ScriptingBenchFixture.Engine(ScriptingBenchFixture.RepositoryScripts, cache == "none" ? null : cache);
                engine.ReloadAll();
                var ms = sw.Elapsed.TotalMilliseconds;
                var engineMs = ms - fixture;
                var status = engine.GetStatus();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
                var roslyn = AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true);
                Console.WriteLine($"startup {(cache == "none" ? "without cache" : "with cache")}: {status.Count} scripts, {ms:F0} ms (the engine {engineMs:F0} ms, the probe's test catalogue {fixture:F0} ms), compiled {engine.CompilationCount}, all active {status.All(s => s.State == Middleware.Scripting.Engine.ScriptState.Active)}; process CPU since its start {cpu:F0} ms (the engine {cpu - cpuBefore:F0} ms), Roslyn assemblies loaded {roslyn}");
                return 0;
            }

            case ["scripting-probe", "fill-cache", var root, var cache]:
                return CacheFiller.Fill(root, cache);

            case ["scripting-probe", "breakdown", var cache]:
                return StartupBreakdown.Run(cache);

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
                Console.Error.WriteLine("usage: scripting-probe startup <cache-dir|none> | breakdown <cache-dir> | fill-cache <root> <cache-dir> | reload-memory <count>");
                return 2;
        }
    }
}
