using Middleware.Domain.Errors;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Runtime;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>Runaway scripts are stopped by their injected budget; the host (this test process) lives on.</summary>
public sealed class BudgetTests : IDisposable
{
    private readonly TestScripts scripts = new();

    [Theory]
    [InlineData("while (true) { }", "steps")]
    [InlineData("for (;;) { }", "steps")]
    [InlineData("do { } while (true);", "steps")]
    [InlineData("var xs = new List<int> { 1 }; foreach (var x in xs) { xs.Add(x); }", "")] // List throws on modification: a plain fault
    [InlineData("again: goto again;", "steps")]
    [InlineData("int Down(int n) => Down(n + 1); Down(0);", "nested deeper")]
    [InlineData("void Forever() { Forever(); } Forever();", "nested deeper")]
    [InlineData("Func<int, int> f = null; f = n => f(n + 1); f(0);", "nested deeper")]
    [InlineData("Execute();", "nested deeper")]
    [InlineData("while (true) { try { while (true) { } } catch { } }", "steps")]
    [InlineData("int R(int n) { try { return R(n + 1); } catch (Exception) { return R(n + 1); } } R(0);", "nested deeper")]
    [InlineData("var n = Basket.Lines.Select(l => { while (true) { } return 1; }).ToList();", "steps")]
    [InlineData("try { while (true) { } } finally { while (true) { } }", "steps")]
    public void Runaway_scripts_fail_cleanly_and_the_script_is_marked_faulted(string body, string reason)
    {
        scripts.Write("sites/runaway/pricing.csx", body + "\n");
        using var engine = scripts.Engine(o => o.MaxSteps = 200_000);

        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("runaway", Student, Item(1201))));

        Assert.Equal(ErrorCode.ScriptFaulted, error.Code);
        Assert.Contains("sites/runaway/pricing.csx", error.Message, StringComparison.Ordinal);
        if (reason.Length > 0)
        {
            var budget = Assert.IsType<ScriptBudgetExceededException>(error.InnerException);
            Assert.Contains(reason, budget.Message, StringComparison.Ordinal);
        }

        var status = engine.GetStatus().Single(s => s.File == "sites/runaway/pricing.csx");
        Assert.Equal(ScriptState.Faulted, status.State);
        Assert.Equal(1, status.FaultCount);
        Assert.Equal(error.Message, status.LastFault);

        // The host lives on: the default script still prices on this thread and engine.
        Assert.Equal(2.20m, engine.Price(Request(null, Student, Item(1201))).TotalTtc);
    }

    [Fact]
    public void A_loop_with_a_huge_step_budget_is_stopped_by_the_time_budget()
    {
        scripts.Write("sites/slow/pricing.csx", "long i = 0; while (true) { i++; }\n");
        using var engine = scripts.Engine(o =>
        {
            o.MaxSteps = long.MaxValue;
            o.MaxDurationMilliseconds = 50;
        });
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("slow", Student, Item(1201))));
        Assert.Contains("time budget", Assert.IsType<ScriptBudgetExceededException>(error.InnerException).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_faulted_script_becomes_active_again_after_a_successful_call()
    {
        scripts.Write("sites/maybe/pricing.csx", "if (Basket.Lines.Count > 1) { while (true) { } }\nAdd(1201, 1, 2.20m);\n");
        using var engine = scripts.Engine();
        Assert.Throws<MiddlewareException>(() => engine.Price(Request("maybe", Student, Item(1201), Item(1201))));
        Assert.Equal(ScriptState.Faulted, engine.GetStatus().Single(s => s.File == "sites/maybe/pricing.csx").State);
        Assert.Equal(2.20m, engine.Price(Request("maybe", Student, Item(1201))).TotalTtc);
        Assert.Equal(ScriptState.Active, engine.GetStatus().Single(s => s.File == "sites/maybe/pricing.csx").State);
    }

    [Fact]
    public void A_runtime_exception_names_the_script_line()
    {
        scripts.Write("sites/divide/pricing.csx", "var zero = Basket.Lines.Count - 1;\n\nvar x = 1 / zero;\n");
        using var engine = scripts.Engine();
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("divide", Student, Item(1201))));
        Assert.Contains("sites/divide/pricing.csx:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("DivideByZeroException", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_failure_message_reaches_the_caller()
    {
        using var engine = scripts.Engine();
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request(null, Student, Item(2002))));
        Assert.Contains("Article 2002 has no price for profile 10/1 on 2026-11-26", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => scripts.Dispose();
}
