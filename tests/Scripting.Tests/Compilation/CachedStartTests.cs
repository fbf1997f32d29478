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
        using (var previousRun = scripts.Engine(cache: CacheDirectory))
        {
            previousRun.ReloadAll();
            Assert.Equal(5, previousRun.CompilationCount);
            var version = previousRun.GetStatus().Single(s => s.File == "pricing.csx").ServingVersion!;
            pricingImage = Directory.GetFiles(CacheDirectory, version + "*.dll").Single();
        }

        var cached = StartChild();
        Assert.Equal("0", cached["compiled"]);
        Assert.Equal("", cached["roslyn"]);
        Assert.Equal("5", cached["active"]);
        Assert.Equal("3.30", cached["price"]);
        Assert.DoesNotContain("Warning", cached.Keys);

        // One byte of the default pricing's image changed: refused, rebuilt from the source (Roslyn is loaded for
        // that one script, which the check above would have seen), and the script's own price still served.
        var bytes = File.ReadAllBytes(pricingImage);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(pricingImage, bytes);
        var tampered = StartChild();
        Assert.Equal("1", tampered["compiled"]);
        Assert.Contains("Microsoft.CodeAnalysis", tampered["roslyn"], StringComparison.Ordinal);
        Assert.Equal("5", tampered["active"]);
        Assert.Equal("3.30", tampered["price"]);
        Assert.Contains("rejected", tampered["Warning"], StringComparison.Ordinal);
        Assert.NotEqual(bytes, File.ReadAllBytes(pricingImage));

        // The rebuilt image verifies: the next start is a cached one again.
        var again = StartChild();
        Assert.Equal("0", again["compiled"]);
        Assert.Equal("", again["roslyn"]);
    }

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
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail("the child engine did not start within 2 minutes");
        }

        Assert.True(child.ExitCode == 0, $"child exit {child.ExitCode}: {error.Result}");
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
