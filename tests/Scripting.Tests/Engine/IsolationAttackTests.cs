using System.Diagnostics;
using Middleware.Domain.Errors;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Runtime;
using Middleware.Scripting.Testing;
using Xunit.Abstractions;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>The attacks a reviewer showed working on main (issue #18), re-run as they were made.</summary>
public sealed class IsolationAttackTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestScripts scripts = new();

    [Fact]
    public void Attack_1_the_brace_escape_fails_mwctl_script_test_and_writes_nothing()
    {
        var marker = Path.Combine(scripts.Root, "escaped.txt");
        var script = scripts.Write("sites/crous-5/ru-9/pricing.csx", $$"""
            Escape();
            Add(1201, 1, 1m);
            }
            static string Escape() { System.IO.File.WriteAllText(@"{{marker}}", "escaped"); return ""; }
            void Unused() {
            """);
        var report = new StringWriter();

        var result = ScriptTestRunner.Run(Path.GetDirectoryName(script)!, Path.Combine(scripts.Root, "sites/crous-5/ru-9/tests/pricing.cases.json"), report, "");

        Assert.Equal(ScriptTestRunner.ExitError, result.ExitCode);
        Assert.Contains("the script was refused", report.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{script}:3:1: CS7017", report.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Attack_5_string_doubling_is_stopped_by_the_memory_budget_when_the_string_cap_is_lifted()
    {
        // The reviewer's script: 28 doublings ran 30.9 s and reached 4.27 GB against a 2 s budget on main.
        scripts.Write("sites/doubling/pricing.csx", "var s = \"x\";\nfor (var i = 0; i < 28; i++) { s = s + s; }\nLog(s.Length.ToString());\n");
        const long memoryBudget = 64L * 1024 * 1024;
        using var engine = scripts.Engine(o =>
        {
            o.MaxStringLength = int.MaxValue; // only the allocation budget left to stop it
            o.MaxAllocatedBytes = memoryBudget;
        }, cache: "");
        engine.ReloadAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("doubling", Student, Item(1201))));

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var budget = Assert.IsType<ScriptBudgetExceededException>(error.InnerException);
        Assert.Contains("allocated more memory than its budget", budget.Message, StringComparison.Ordinal);
        output.WriteLine($"28-step doubling: stopped after {clock.ElapsedMilliseconds} ms (budget 2,000 ms), {allocated / 1048576.0:F1} MiB allocated (budget {memoryBudget / 1048576} MiB)");
        // One doubling past the budget at most: the string that crosses it is at most twice the one before.
        Assert.True(allocated < 3 * memoryBudget, $"allocated {allocated:N0} bytes");
        Assert.True(clock.ElapsedMilliseconds < 2000, $"ran {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Attack_5_slow_steps_are_stopped_by_the_time_budget_at_the_next_statement()
    {
        // Each step is slow (a sort of 200,000 numbers in library code, no lambda), few steps: the clock is read at every statement and call.
        scripts.Write("sites/slow/pricing.csx", """
            var xs = new List<int>();
            for (var i = 0; i < 200_000; i++) { xs.Add(i); }
            var total = 0L;
            while (true) { total += xs.Order().Last(); }
            """);
        using var engine = scripts.Engine(o =>
        {
            o.MaxSteps = long.MaxValue;
            o.MaxDurationMilliseconds = 300;
        }, cache: "");
        engine.ReloadAll();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("slow", Student, Item(1201))));

        clock.Stop();
        Assert.Contains("time budget", Assert.IsType<ScriptBudgetExceededException>(error.InnerException).Message, StringComparison.Ordinal);
        output.WriteLine($"slow steps: stopped after {clock.ElapsedMilliseconds} ms against a 300 ms budget");
        Assert.True(clock.ElapsedMilliseconds < 1500, $"ran {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void A_script_cannot_flood_the_host_log_or_the_till_with_its_notes_and_messages()
    {
        scripts.Write("sites/flood/pricing.csx", """
            var big = new string('x', 100_000);
            for (var i = 0; i < 10_000; i++) { Log(big); }
            Add(1201, 1, 1m);
            """);
        scripts.Write("sites/shout/pricing.csx", "throw new Exception(new string('x', 100_000));\n");
        using var engine = scripts.Engine(cache: "");

        var notes = engine.Price(Request("flood", Student, Item(1201))).Notes;
        Assert.Equal(Globals.PricingScript.MaxNotes + 1, notes.Count);
        Assert.All(notes, n => Assert.True(n.Length <= Globals.PricingScript.MaxNoteLength + 1));

        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("shout", Student, Item(1201))));
        Assert.InRange(error.Message.Length, 500, 1000);
    }

    public void Dispose() => scripts.Dispose();
}
