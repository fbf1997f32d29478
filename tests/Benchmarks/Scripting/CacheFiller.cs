using System.Diagnostics;
using System.Reflection;

namespace Middleware.Benchmarks.Scripting;

/// <summary>
/// Fills a compile cache as a previous run of the host would have: a whole engine start in another process
/// (<c>scripting-probe fill-cache &lt;root&gt; &lt;cache&gt;</c>), so the images carry the installation key's HMAC and the
/// measuring process has loaded and JIT-compiled neither Roslyn nor the engine's start-up path.
/// </summary>
internal static class CacheFiller
{
    public static void FillInChildProcess(string root, string cache)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        var benchmarks = typeof(CacheFiller).Assembly.Location;
        if (!File.Exists(Path.ChangeExtension(benchmarks, ".runtimeconfig.json")))
        {
            // Under BenchmarkDotNet the entry assembly is its generated runner, which references this one: its
            // runtime configuration and dependencies resolve ours too.
            var entry = Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly");
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(Path.ChangeExtension(entry, ".runtimeconfig.json"));
            start.ArgumentList.Add("--depsfile");
            start.ArgumentList.Add(Path.ChangeExtension(entry, ".deps.json"));
        }

        foreach (var argument in new[] { benchmarks, "scripting-probe", "fill-cache", root, cache })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException("filling the compile cache took more than 5 minutes");
        }

        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"filling the compile cache failed ({child.ExitCode}): {output} {error.Result}");
        }
    }

    /// <summary>The child's side: compiles every script of <paramref name="root"/> into <paramref name="cache"/>.</summary>
    public static int Fill(string root, string cache)
    {
        using var engine = ScriptingBenchFixture.Engine(root, cache);
        engine.ReloadAll();
        var status = engine.GetStatus();
        Console.WriteLine($"fill-cache: {status.Count} scripts, compiled {engine.CompilationCount}");
        return status.Count > 0 && status.All(s => s.State == Middleware.Scripting.Engine.ScriptState.Active) ? 0 : 1;
    }
}
