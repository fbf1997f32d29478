using Middleware.Domain.Errors;
using Middleware.Scripting.Engine;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Compilation;

/// <summary>Escape attempts are refused before a script is accepted, with a reason and a location.</summary>
public sealed class SafetyTests : IDisposable
{
    private readonly TestScripts scripts = new();

    public static TheoryData<string, string, string> Escapes => new()
    {
        { "file", "var text = System.IO.File.ReadAllText(\"/etc/passwd\");", "cannot read or write files" },
        { "file via using", "using System.IO;\nFile.Delete(\"/tmp/x\");", "cannot read or write files" },
        { "file via using static", "using static System.IO.File;\nvar t = ReadAllText(\"/etc/passwd\");", "cannot read or write files" },
        { "process", "System.Diagnostics.Process.Start(\"sh\", \"-c 'rm -rf /'\");", "cannot start processes" },
        { "reflection", "var m = typeof(string).GetMethod(\"Concat\");", "reflection" },
        { "reflection by name", "var t = Type.GetType(\"System.IO.File\");", "reflection" },
        { "unsafe", "unsafe { int x = 1; int* p = &x; *p = 2; }", "unsafe code" },
        { "P/Invoke", "[System.Runtime.InteropServices.DllImport(\"libc\")] static extern int getpid();\nvar pid = getpid();", "native" },
        { "Environment.Exit", "Environment.Exit(1);", "stop the host" },
        { "environment variables", "var p = Environment.GetEnvironmentVariable(\"PATH\");", "environment" },
        { "threads", "new System.Threading.Thread(() => { }).Start();", "threads" },
        { "tasks", "System.Threading.Tasks.Task.Run(() => 1);", "threads" },
        { "network", "var c = new System.Net.Http.HttpClient();", "network" },
        { "network via using", "using System.Net.Sockets;\nvar s = 1;", "network" },
        { "dynamic assembly loading", "var a = System.Reflection.Assembly.Load(new byte[] { 0 });", "load assemblies" },
        { "load context", "System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(\"/tmp/x.dll\");", "runtime services" },
        { "typeof(...).Assembly trick", "var asm = typeof(PricedLine).Assembly;", "reflection" },
        { "GetType().Assembly trick", "var asm = Basket.GetType().Assembly;", "reflection" },
        { "delegate reflection", "Func<int> f = () => 1; var m = f.Method;", "reflection on delegates" },
        { "Activator", "var o = Activator.CreateInstance(typeof(object));", "reflection" },
        { "dynamic", "dynamic d = Basket; d.Lines.Clear();", "dynamic" },
        { "console", "Console.WriteLine(\"hi\");", "Log(" },
        { "GC", "GC.Collect();", "garbage collector" },
        { "host clock", "var t = DateTime.Now;", "point of sale's clock" },
        { "cast to a host type", "var l = (Middleware.Scripting.Prices.LocalPriceList)Catalog;", "not on the scripts' allow-list" },
        { "budget tampering", "Middleware.Scripting.Runtime.ScriptBudget.Leave();", "allow-list" },
        { "lock", "lock (Basket) { }", "threads" },
        { "class declaration", "class Evil { }", "local functions" },
        { "#r", "#r \"System.IO.dll\"\nvar x = 1;", "#r and #load" },
        { "Linq Range without a loop", "var n = Enumerable.Range(0, int.MaxValue).Count();", "Enumerable.Range" },
        { "culture change", "CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;", "CultureInfo.CurrentCulture" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public void Escape_attempts_are_refused_with_a_reason_and_a_location(string attempt, string script, string reason)
    {
        var path = scripts.Write("pricing.csx", script + "\n");
        using var engine = scripts.Engine(cache: "");
        var error = Assert.Throws<MiddlewareException>(() => engine.Price(Request(null, Student, Item(1201))));

        Assert.Equal(ErrorCode.ScriptFaulted, error.Code);
        var status = engine.GetStatus().Single(s => s.File == "pricing.csx");
        Assert.Equal(ScriptState.CompileError, status.State);
        Assert.Null(status.ServingVersion);
        Assert.Contains(status.Errors, e => e.Message.Contains(reason, StringComparison.Ordinal) && e.File == path && e.Line >= 1 && e.Column >= 1);
        Assert.True(status.Errors.All(e => e.Code.StartsWith("SCRIPT", StringComparison.Ordinal)), $"{attempt}: {string.Join("; ", status.Errors)}");
    }

    [Fact]
    public void A_refused_script_never_runs()
    {
        // If the safety check were skipped, this would delete the marker file.
        var marker = scripts.Write("marker.txt", "still here");
        scripts.Write("pricing.csx", $"System.IO.File.Delete(@\"{marker}\");\n");
        using var engine = scripts.Engine(cache: "");
        Assert.Throws<MiddlewareException>(() => engine.Price(Request(null, Student, Item(1201))));
        Assert.True(File.Exists(marker));
    }

    [Fact]
    public void Compile_errors_are_reported_with_file_line_and_column_in_status_and_log()
    {
        var path = scripts.Write("pricing.csx", "// a rule\nvar price = PriceOff(1201);\nAdd(1201, 1, price);\n");
        using var engine = scripts.Engine(cache: "");
        engine.ReloadAll();

        var status = engine.GetStatus().Single(s => s.File == "pricing.csx");
        Assert.Equal(ScriptState.CompileError, status.State);
        var error = status.Errors[0];
        Assert.Equal((path, 2, 13, "CS0103"), (error.File, error.Line, error.Column, error.Code));
        Assert.Contains("PriceOff", error.Message, StringComparison.Ordinal);
        Assert.Contains(scripts.Log.Entries, e => e.Message.Contains($"{path}:2:13: CS0103", StringComparison.Ordinal));
    }

    [Fact]
    public void Script_usings_keep_their_line_numbers()
    {
        var path = scripts.Write("pricing.csx", "using System.Text;\n\nvar sb = new StringBuilder();\nvar x = Undefined;\n");
        using var engine = scripts.Engine(cache: "");
        engine.ReloadAll();
        var error = engine.GetStatus().Single(s => s.File == "pricing.csx").Errors[0];
        Assert.Equal((path, 4, 9), (error.File, error.Line, error.Column));
    }

    [Fact]
    public void Allowed_everyday_code_compiles()
    {
        scripts.Write("pricing.csx", """
            using System.Text;
            var sb = new StringBuilder();
            var byCode = Basket.Lines.GroupBy(l => l.CodeArticle).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
            (int code, int qty) first = (byCode.Keys.First(), 1);
            decimal Half(decimal p) => Math.Round(p / 2, 2, MidpointRounding.AwayFromZero);
            var names = new List<string> { "a" };
            foreach (var (code, qty) in byCode) { sb.Append(code.ToString(CultureInfo.InvariantCulture)); }
            var kind = LineKind.Article.ToString();
            var day = Now.DayOfWeek == DayOfWeek.Sunday ? 1 : 0;
            var t = new TimeOnly(18, 30) > TimeOfDay;
            try { Add(first.code, first.qty, Half(PriceOf(first.code))); } catch (ScriptRuleException) { throw; }
            Log($"{sb} {kind} {day} {t} {names.Count}");
            """);
        using var engine = scripts.Engine(cache: "");
        var result = engine.Price(Request(null, Student, Item(1201)));
        Assert.Equal(1.10m, result.TotalTtc);
        Assert.Equal("1201 Article 0 True 1", Assert.Single(result.Notes));
    }

    public void Dispose() => scripts.Dispose();
}
