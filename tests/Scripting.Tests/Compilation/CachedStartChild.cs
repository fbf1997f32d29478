using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Scripting.Engine;

namespace Middleware.Scripting.Tests.Compilation;

/// <summary>
/// The entry point of this test assembly (<c>dotnet exec Middleware.Scripting.Tests.dll cached-start &lt;root&gt; &lt;cache&gt;</c>):
/// one engine start in a fresh process, the way the host starts, reported one <c>name=value</c> a line. This process
/// has loaded nothing but what the start needed, unlike the test runner, which has Roslyn loaded by other tests.
/// The test runner itself never calls it.
/// </summary>
internal static class CachedStartChild
{
    public const string Command = "cached-start";

    public static int Main(string[] args)
    {
        if (args is not [Command, var root, var cache])
        {
            Console.Error.WriteLine($"usage: {Command} <scripts-root> <cache-dir>");
            return 2;
        }

        var log = new ListLogger<ScriptEngine>();
        // Generous deadlines: a cold compile or first call on a machine this loaded may take seconds of wall time, and
        // this start is checked for what it loads, not for its budgets.
        var options = new ScriptingOptions
        {
            ScriptsRoot = root, CacheDirectory = cache, WatchForChanges = false, MaxCompileMilliseconds = 120_000, MaxDurationMilliseconds = 60_000,
        };
        // The test scripts' clock, so the price does not depend on the day the test runs.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 11, 15, 0, TimeSpan.Zero));
        using var engine = new ScriptEngine(Options.Create(options), clock, log, TestScripts.Catalog);
        engine.ReloadAll();
        var price = engine.Price(TestScripts.Request(null, TestScripts.Student, TestScripts.Menu())).TotalTtc;

        // Read last: whatever the start and the first call loaded is counted.
        var roslyn = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "")
            .Where(n => n.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Console.WriteLine($"compiled={engine.CompilationCount}");
        Console.WriteLine($"roslyn={string.Join(',', roslyn)}");
        Console.WriteLine($"active={engine.GetStatus().Count(s => s.State == ScriptState.Active)}");
        Console.WriteLine($"price={price.ToString(CultureInfo.InvariantCulture)}");
        foreach (var (level, message) in log.Entries.Where(e => e.Level >= LogLevel.Warning))
        {
            Console.WriteLine($"{level}={message.ReplaceLineEndings(" ")}");
        }

        return 0;
    }
}
