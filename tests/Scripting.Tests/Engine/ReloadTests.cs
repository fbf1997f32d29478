using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Scripting.Engine;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>Edits while tills call, the previous version serving through refused edits, unloading, the cache, the watcher.</summary>
public sealed class ReloadTests : IDisposable
{
    private readonly TestScripts scripts = new();

    private static string PriceScript(decimal price) => $"foreach (var l in Basket.Lines) {{ Add(l.CodeArticle, l.Quantity, {price.ToString(System.Globalization.CultureInfo.InvariantCulture)}m); }}\n";

    [Fact]
    public async Task Editing_a_script_while_8_callers_call_it_fails_no_call()
    {
        scripts.Write("sites/busy/pricing.csx", PriceScript(1.00m));
        // Eight callers spinning on two cores (beside other suites in CI) slow Roslyn down: this test is about serving
        // through edits, not the compile budget, which a fresh-clone CI run once saw exceeded here.
        using var engine = scripts.Engine(o => o.MaxCompileMilliseconds = 120_000, cache: "");
        var handle = engine.HandleFor(Path.Combine(scripts.Root, "sites/busy/pricing.csx"));
        Assert.True(engine.Reload(handle));

        var valid = new HashSet<decimal> { 1.00m };
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var calls = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<decimal, bool>();
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var total = engine.Price(Request("busy", Student, Item(1201))).TotalTtc;
                    seen[total] = true;
                    Interlocked.Increment(ref calls);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        try
        {
            await EditEightTimesAsync(engine, handle, valid, () => Volatile.Read(ref calls));
        }
        finally
        {
            // Whatever failed, the callers stop: left spinning they would starve the tests that run after this one.
            await stop.CancelAsync();
            await Task.WhenAll(callers);
        }

        Assert.Equal(0, failures);
        Assert.True(calls > 400, $"only {calls} calls");
        Assert.All(seen.Keys, total => Assert.Contains(total, valid));
        Assert.Contains(9.00m, seen.Keys);
        Assert.Equal(ScriptState.Active, engine.GetStatus().Single(s => s.File == "sites/busy/pricing.csx").State);
    }

    private async Task EditEightTimesAsync(ScriptEngine engine, ScriptHandle handle, HashSet<decimal> valid, Func<int> calls)
    {
        for (var edit = 1; edit <= 8; edit++)
        {
            var price = 1.00m + edit;
            // Every other edit is broken first (as an editor's half-saved file would be): the previous version keeps serving.
            if (edit % 2 == 0)
            {
                scripts.Write("sites/busy/pricing.csx", "Add(1201, 1, ;\n");
                Assert.False(engine.Reload(handle));
                Assert.Equal(ScriptState.CompileError, engine.GetStatus().Single(s => s.File == "sites/busy/pricing.csx").State);
            }

            scripts.Write("sites/busy/pricing.csx", PriceScript(price));
            Assert.True(engine.Reload(handle), Why(engine));
            lock (valid)
            {
                valid.Add(price);
            }

            var before = calls();
            // Let the callers run on the new version before the next edit (no sleep: wait for progress).
            await WaitUntil(() => calls() > before + 50);
        }
    }

    private static string Why(ScriptEngine engine) =>
        string.Join("; ", engine.GetStatus().Select(s => $"{s.File}: {s.State} {string.Join(", ", s.Errors.Select(e => e.Message))}"));

    [Fact]
    public void A_refused_edit_keeps_the_previous_version_serving_and_says_so()
    {
        scripts.Write("sites/edit/pricing.csx", PriceScript(2.00m));
        using var engine = scripts.Engine(cache: "");
        engine.ReloadAll();
        var before = engine.GetStatus().Single(s => s.File == "sites/edit/pricing.csx");

        scripts.Write("sites/edit/pricing.csx", "System.IO.File.Delete(\"x\");\n");
        engine.ReloadAll();

        var after = engine.GetStatus().Single(s => s.File == "sites/edit/pricing.csx");
        Assert.Equal(ScriptState.CompileError, after.State);
        Assert.Equal(before.Version, after.ServingVersion);
        Assert.NotEqual(after.Version, after.ServingVersion);
        Assert.Equal(2.00m, engine.Price(Request("edit", Student, Item(1201))).TotalTtc);
    }

    [Fact]
    public void A_restart_loads_from_the_compile_cache_without_compiling()
    {
        var cache = Path.Combine(Path.GetTempPath(), "mw-cache-" + Guid.NewGuid().ToString("N"));
        using (var first = scripts.Engine(cache: cache))
        {
            first.ReloadAll();
            Assert.Equal(5, first.CompilationCount); // default pricing and mapping, RU 9 pricing and mapping, RU 12 mapping
        }

        using var second = scripts.Engine(cache: cache);
        second.ReloadAll();
        Assert.Equal(0, second.CompilationCount);
        Assert.All(second.GetStatus(), s => Assert.Equal(ScriptState.Active, s.State));
        Assert.Equal(3.30m, second.Price(Request(null, Student, Menu())).TotalTtc);

        // An edit changes the key: compiled again.
        File.AppendAllText(Path.Combine(scripts.Root, "pricing.csx"), "\n// edited\n");
        second.ReloadAll();
        Assert.Equal(1, second.CompilationCount);
        Directory.Delete(cache, true);
    }

    [Fact]
    public async Task The_watcher_reloads_an_edited_script_after_the_debounce()
    {
        var options = new ScriptingOptions { ScriptsRoot = scripts.Root, CacheDirectory = SharedCache, DebounceMilliseconds = 50 };
        using var engine = new ScriptEngine(Options.Create(options), TimeProvider.System, scripts.Log, Catalog);
        using var watcher = new ScriptWatcher(engine, Options.Create(options), TimeProvider.System, NullLogger<ScriptWatcher>.Instance);
        await watcher.StartAsync(CancellationToken.None);
        Assert.Equal(2.20m, engine.Price(Request(null, Student, Item(1201))).TotalTtc);

        var reloaded = new TaskCompletionSource();
        watcher.Reloaded += () =>
        {
            if (engine.GetStatus().Single(s => s.File == "pricing.csx").ServingVersion is { } v && v != "" &&
                engine.Price(Request(null, Student, Item(1201))).TotalTtc == 4.40m)
            {
                reloaded.TrySetResult();
            }
        };
        File.WriteAllText(Path.Combine(scripts.Root, "pricing.csx"), "foreach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 2 * PriceOf(l.CodeArticle)); }\n");

        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4.40m, engine.Price(Request(null, Student, Item(1201))).TotalTtc);
        await watcher.StopAsync(CancellationToken.None);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for callers");
            await Task.Yield();
        }
    }

    public void Dispose() => scripts.Dispose();
}
