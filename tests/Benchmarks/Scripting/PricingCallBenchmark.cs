using BenchmarkDotNet.Attributes;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Runtime;

namespace Middleware.Benchmarks.Scripting;

/// <summary>
/// A cached pricing-script call versus the same rule compiled into the host (target ratio ≤ 1.5): both bind the same
/// globals and run under the same budget scope, so the difference is the script's own cost (its injected budget
/// checks, the delegate). <see cref="EnginePrice"/> is the full engine call a till gets (site lookup, VAT, HT).
/// </summary>
[MemoryDiagnoser]
public class PricingCallBenchmark
{
    private ScriptEngine engine = null!;
    private Func<object> scriptFactory = null!;
    private SiteSettings settings = null!;
    private string root = null!;

    [GlobalSetup]
    public void Setup()
    {
        root = ScriptingBenchFixture.CopyScripts();
        engine = ScriptingBenchFixture.Engine(root, cache: null);
        engine.ReloadAll();
        scriptFactory = engine.HandleFor(Path.Combine(root, "pricing.csx")).Current!.Factory;
        settings = SiteLayout.LoadSettings("", [root]);
        _ = engine.Price(ScriptingBenchFixture.Request);
    }

    [Benchmark(Baseline = true)]
    public int CompiledCSharp() => Run(new CompiledDefaultPricing());

    [Benchmark]
    public int CachedScript() => Run((PricingScript)scriptFactory());

    [Benchmark]
    public decimal EnginePrice() => engine.Price(ScriptingBenchFixture.Request).TotalTtc;

    private int Run(PricingScript script)
    {
        var r = ScriptingBenchFixture.Request;
        script.Bind(r.Basket, r.Customer, ScriptingBenchFixture.Catalog, settings, r.At!.Value, r.PaymentCode);
        using var scope = ScriptBudget.Begin(1_000_000, 64, TimeSpan.FromSeconds(2));
        script.Execute();
        return script.Lines.Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        engine.Dispose();
        Directory.Delete(root, recursive: true);
    }
}
