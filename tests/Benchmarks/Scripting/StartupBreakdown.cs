using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Middleware.Scripting.Compilation;
using Middleware.Scripting.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Middleware.Benchmarks.Scripting;

/// <summary>
/// Where a cold start with a warm compile cache spends its time, phase by phase, in a fresh process
/// (<c>scripting-probe breakdown &lt;cache-dir&gt;</c>): each phase's wall time, process CPU, methods JIT-compiled and
/// JIT time (<see cref="System.Runtime.JitInfo"/>), and assemblies loaded. The phases are the engine's own start-up
/// steps called one by one (the same internal types <see cref="ScriptEngine.ReloadAll"/> uses), then a whole
/// engine start over the same folder, then the first pricing and mapping calls.
/// </summary>
internal static class StartupBreakdown
{
    public static int Run(string cacheDirectory)
    {
        var phases = new Phases();
        phases.Mark("runtime start to Main", sinceProcessStart: true);

        var root = ScriptingBenchFixture.RepositoryScripts;
        _ = ScriptingBenchFixture.Request;
        phases.Mark("probe's own set-up (fixture, catalogue JSON)");

        RuntimeHelpers.RunClassConstructor(typeof(ScriptIdentity).TypeHandle);
        phases.Mark("ScriptIdentity (referenced assemblies' fingerprint)");

        var options = new ScriptingOptions { ScriptsRoot = root, CacheDirectory = cacheDirectory, WatchForChanges = false };
        var cache = new CompileCache(options.ResolvedCacheDirectory, options.ResolvedCacheKeyFile, NullLogger.Instance);
        phases.Mark("cache folder + key");

        var files = Directory.EnumerateFiles(root, "*.csx", SearchOption.AllDirectories)
            .Where(p => ScriptEngine.KindOf(p) is not null && !Path.GetRelativePath(root, p).Split('/').Any(s => s.StartsWith('.'))).ToArray();
        phases.Mark($"enumerate ({files.Length} scripts)");

        var texts = files.Select(File.ReadAllText).ToArray();
        phases.Mark("read sources");

        var hashes = files.Select((p, i) => ScriptIdentity.Hash(ScriptEngine.KindOf(p)!.Value, p, texts[i])).ToArray();
        phases.Mark("hash sources");

        var images = hashes.Select(h => cache.TryRead(h)).ToArray();
        phases.Mark($"read + verify images ({images.Count(i => i is not null)} hits)");

        RuntimeHelpers.RunClassConstructor(typeof(Middleware.Scripting.Globals.PricingScript).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(Middleware.Scripting.Globals.MappingScript).TypeHandle);
        phases.Mark("globals' types (PricingScript, MappingScript)");

        var contexts = new List<ScriptLoadContext>();
        var steps = new double[5];
        var typeTimes = new List<string>();
        var step = Stopwatch.StartNew();
        foreach (var (image, hash) in images.Zip(hashes))
        {
            if (image is null)
            {
                continue;
            }

            step.Restart();
            var context = new ScriptLoadContext("probe-" + hash[..12]);
            contexts.Add(context);
            steps[0] += step.Elapsed.TotalMilliseconds;
            step.Restart();
            var assembly = context.LoadFromStream(new MemoryStream(image));
            steps[1] += step.Elapsed.TotalMilliseconds;
            step.Restart();
            var type = assembly.GetType(ScriptCompiler.TypeName, throwOnError: true)!;
            steps[2] += step.Elapsed.TotalMilliseconds;
            typeTimes.Add(step.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
            step.Restart();
            var create = type.GetMethod(ScriptCompiler.FactoryMethod)!.CreateDelegate<Func<object>>();
            steps[4] += step.Elapsed.TotalMilliseconds;
            step.Restart();
            _ = create();
            steps[3] += step.Elapsed.TotalMilliseconds;
        }

        phases.Mark(string.Create(CultureInfo.InvariantCulture,
            $"load contexts + factory delegates (ALC {steps[0]:F1}, image {steps[1]:F1}, type {steps[2]:F1} [{string.Join(" ", typeTimes)}], method+delegate {steps[4]:F1}, first create {steps[3]:F1} ms)"));
        contexts.ForEach(c => c.Unload());

        using var engine = ScriptingBenchFixture.Engine(root, cacheDirectory);
        engine.ReloadAll();
        phases.Mark($"whole engine start again (compiled {engine.CompilationCount})");

        _ = engine.Price(ScriptingBenchFixture.Request);
        phases.Mark("first pricing call");
        _ = engine.Price(ScriptingBenchFixture.Request);
        phases.Mark("second pricing call");

        phases.Print();
        var roslyn = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Where(n => n?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true).ToArray();
        Console.WriteLine($"Roslyn assemblies loaded: {(roslyn.Length == 0 ? "none" : string.Join(", ", roslyn))}");
        return 0;
    }

    private sealed class Phases
    {
        private readonly List<string> lines = [];
        private readonly Stopwatch wall = Stopwatch.StartNew();
        private TimeSpan lastWall;
        private TimeSpan lastCpu;
        private long lastJitCount;
        private TimeSpan lastJitTime;
        private int lastAssemblies;

        public void Mark(string phase, bool sinceProcessStart = false)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var jitCount = System.Runtime.JitInfo.GetCompiledMethodCount();
            var jitTime = System.Runtime.JitInfo.GetCompilationTime();
            var assemblies = AppDomain.CurrentDomain.GetAssemblies().Length;
            var elapsed = sinceProcessStart ? DateTime.Now - process.StartTime : wall.Elapsed - lastWall;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{phase,-100} wall {elapsed.TotalMilliseconds,7:F1} ms  cpu {(cpu - lastCpu).TotalMilliseconds,7:F1} ms  jit {jitCount - lastJitCount,5} methods {(jitTime - lastJitTime).TotalMilliseconds,6:F1} ms  +{assemblies - lastAssemblies} assemblies"));
            lastWall = wall.Elapsed;
            lastCpu = cpu;
            lastJitCount = jitCount;
            lastJitTime = jitTime;
            lastAssemblies = assemblies;
        }

        public void Print() => lines.ForEach(Console.WriteLine);
    }
}
