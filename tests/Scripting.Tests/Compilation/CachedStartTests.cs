using System.Diagnostics;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Compilation;

/// <summary>
/// A start served from the compile cache (issue #19: script start with the cache ≤ 300 ms) compiles nothing and never
/// loads the compiler, checked in a fresh process (<see cref="CachedStartChild"/>): this test runner has Roslyn loaded
/// already. A tampered image still costs its recompile, and only then is Roslyn loaded.
/// </summary>
public sealed class CachedStartTests : IDisposable
{
    private readonly TestScripts scripts = new();
    private readonly string installation = Path.Combine(Path.GetTempPath(), "mw-cached-start-" + Guid.NewGuid().ToString("N"));

    private string CacheDirectory => Path.Combine(installation, "data", "script-cache");

    [Fact]
    public void A_cached_start_in_a_fresh_process_compiles_nothing_and_loads_no_Roslyn_assembly()
    {
        string pricingImage;
        using (var previousRun = scripts.Engine(o => o.MaxCompileMilliseconds = 120_000, cache: CacheDirectory))
        {
            previousRun.ReloadAll();
            Assert.Equal(5, previousRun.CompilationCount);
            var version = previousRun.GetStatus().Single(s => s.File == "pricing.csx").ServingVersion!;
            pricingImage = Directory.GetFiles(CacheDirectory, version + "*.dll").Single();
        }

        var cached = StartChild();
        Expect(cached, "compiled", "0");
        Expect(cached, "roslyn", "");
        Expect(cached, "active", "5");
        Expect(cached, "price", "3.30");
        Assert.False(cached.ContainsKey("Warning") || cached.ContainsKey("Error"), Describe(cached));

        // One byte of the default pricing's image changed: refused, rebuilt from the source (Roslyn is loaded for
        // that one script, which the check above would have seen), and the script's own price still served.
        var bytes = File.ReadAllBytes(pricingImage);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(pricingImage, bytes);
        var tampered = StartChild();
        Expect(tampered, "compiled", "1");
        Assert.True(tampered["roslyn"].Contains("Microsoft.CodeAnalysis", StringComparison.Ordinal), Describe(tampered));
        Expect(tampered, "active", "5");
        Expect(tampered, "price", "3.30");
        Assert.True(tampered.TryGetValue("Warning", out var warning) && warning.Contains("rejected", StringComparison.Ordinal), Describe(tampered));
        Assert.NotEqual(bytes, File.ReadAllBytes(pricingImage));

        // The rebuilt image verifies: the next start is a cached one again.
        var again = StartChild();
        Expect(again, "compiled", "0");
        Expect(again, "roslyn", "");
    }

    private static void Expect(Dictionary<string, string> child, string key, string expected) =>
        Assert.True(child.TryGetValue(key, out var actual) && actual == expected, $"expected {key}={expected}; {Describe(child)}");

    private static string Describe(Dictionary<string, string> child) =>
        "the child reported: " + string.Join("; ", child.Select(p => $"{p.Key}={p.Value}"));

    private Dictionary<string, string> StartChild()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "exec", typeof(CachedStartChild).Assembly.Location, CachedStartChild.Command, scripts.Root, CacheDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEndAsync();
        if (!child.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail("the child engine did not start within 4 minutes");
        }

        Assert.True(child.ExitCode == 0, $"child exit {child.ExitCode}: {output.Result} {error.Result}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = line.IndexOf('=', StringComparison.Ordinal);
            var key = line[..at];
            // Several warnings: kept together, in order.
            values[key] = values.TryGetValue(key, out var earlier) ? earlier + " | " + line[(at + 1)..] : line[(at + 1)..];
        }

        return values;
    }

    public void Dispose()
    {
        scripts.Dispose();
        try
        {
            Directory.Delete(installation, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
