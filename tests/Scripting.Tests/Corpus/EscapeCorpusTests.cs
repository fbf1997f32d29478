using System.Diagnostics;
using Middleware.Domain.Errors;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Runtime;
using Xunit.Abstractions;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Corpus;

/// <summary>
/// Every file of <c>Corpus/Escapes</c> is an attack on the script engine; its first line says how it must end:
/// <c>// expect: compile: reason</c> (refused with that reason, never run) or <c>// expect: budget: reason</c>
/// (stopped by its budget, within its time and memory). Add a file to add a case.
/// </summary>
public sealed class EscapeCorpusTests(ITestOutputHelper output) : IDisposable
{
    private const int BudgetMilliseconds = 2000;
    private const long BudgetBytes = 64L * 1024 * 1024;
    private readonly TestScripts scripts = new();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", "Escapes"), "*.csx").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void The_corpus_holds_the_attacks_of_issue_18()
    {
        var names = Files().Cast<object[]>().Select(row => (string)row[0]).ToHashSet();
        string[] required =
        [
            "brace-escape.csx", "nested-type.csx", "type-gettype.csx", "activator.csx", "file.csx", "process.csx", "environment.csx",
            "marshal.csx", "unsafe-pointer.csx", "typeof-assembly.csx", "dynamic.csx", "gc.csx", "alloc-1gib-array.csx",
            "alloc-1gib-string.csx", "string-doubling-loop.csx", "infinite-loop.csx", "deep-recursion.csx", "catastrophic-regex.csx",
        ];
        Assert.Empty(required.Except(names));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_escape_attempt_is_refused_at_compile_or_stopped_by_its_budget(string file)
    {
        var marker = Path.Combine(scripts.Root, "escaped-" + Path.GetFileNameWithoutExtension(file));
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "Escapes", file)).Replace("%MARKER%", marker, StringComparison.Ordinal);
        var header = text.Split('\n')[0].Trim();
        var parts = header.Split(':', 3, StringSplitOptions.TrimEntries);
        Assert.True(parts is ["// expect", "compile" or "budget", { Length: > 0 }], $"{file}: first line must be '// expect: compile|budget: reason', not '{header}'");
        var (kind, reason) = (parts[1], parts[2]);

        var path = scripts.Write("sites/attack/pricing.csx", text);
        using var engine = scripts.Engine(o =>
        {
            o.MaxDurationMilliseconds = BudgetMilliseconds;
            o.MaxCompileMilliseconds = 5000;
        }, cache: "");
        engine.ReloadAll(); // compiled (or refused) first: the figures below are the script's run alone
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request("attack", Student, Item(1201))));
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(ErrorCode.ScriptFaulted, error.Code);
        var status = engine.GetStatus().Single(s => s.File == "sites/attack/pricing.csx");
        if (kind == "compile")
        {
            Assert.Equal(ScriptState.CompileError, status.State);
            Assert.Null(status.ServingVersion);
            Assert.True(status.Errors.Any(e => e.Message.Contains(reason, StringComparison.Ordinal) && e.File == path && e.Line >= 1 && e.Column >= 1),
                $"{file}: expected '{reason}' in: {string.Join("; ", status.Errors)}");
            output.WriteLine($"{file}: refused: {status.Errors[0]}");
        }
        else
        {
            var budget = Assert.IsType<ScriptBudgetExceededException>(error.InnerException);
            Assert.Contains(reason, budget.Message, StringComparison.Ordinal);
            Assert.Equal(ScriptState.Faulted, status.State);
            output.WriteLine($"{file}: stopped after {clock.ElapsedMilliseconds} ms, {allocated / 1024.0 / 1024:F1} MiB allocated: {budget.Message}");

            // Bounded: the time budget plus scheduling slack on a shared machine, and at most a few times the memory
            // budget (one doubling step past the limit, plus compiling the script).
            Assert.True(clock.ElapsedMilliseconds < BudgetMilliseconds + 1500, $"{file} ran {clock.ElapsedMilliseconds} ms");
            Assert.True(allocated < 4 * BudgetBytes, $"{file} allocated {allocated:N0} bytes");
        }

        Assert.False(File.Exists(marker), $"{file} wrote its marker: the escape ran");

        // The host lives on: the default script still prices on this thread.
        Assert.Equal(2.20m, engine.Price(Request(null, Student, Item(1201))).TotalTtc);
    }

    public void Dispose() => scripts.Dispose();
}
