using System.Diagnostics;

namespace Middleware.Cli.Tests;

/// <summary>mwctl when no middleware listens, in-process and as the built executable.</summary>
public sealed class NoServerTests
{
    [Fact]
    public async Task No_server_exits_3_with_a_clear_message()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Mwctl.InvokeAsync(["outbox", "status", "--pipe", "mwctl-none-" + Guid.NewGuid().ToString("N")[..8], "--timeout", "1"], output, error);
        Assert.Equal(3, code);
        Assert.StartsWith("Connexion au middleware impossible", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task The_built_executable_reports_a_missing_server_and_bad_arguments_by_exit_code()
    {
        var missing = await RunProcessAsync("hello", "--pipe", "mwctl-none-" + Guid.NewGuid().ToString("N")[..8], "--timeout", "1");
        Assert.True(missing.ExitCode == 3, missing.ToString());
        Assert.Contains("Connexion au middleware impossible", missing.Error, StringComparison.Ordinal);

        var bad = await RunProcessAsync("outbox", "show", "zero");
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Contains("zero", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_executable_talks_to_a_real_middleware()
    {
        await using var mw = await MiddlewareUnderTest.StartAsync();
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1));
        var run = await RunProcessAsync("outbox", "list", "--pipe", mw.PipeName, "--pos", MiddlewareUnderTest.Pos, "--timeout", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"\n1\s+\d{7}\s+(Pending|Sent)\s", run.Output);
    }

    /// <summary>Runs the mwctl.dll built next to the tests with the same dotnet, 120 s at most.</summary>
    private static Task<CliRun> RunProcessAsync(params string[] args) => RunDllAsync(Path.Combine(AppContext.BaseDirectory, "mwctl.dll"), args);

    /// <summary>Runs the mwctl.dll at <paramref name="dll"/> with the same dotnet, 120 s at most.</summary>
    internal static async Task<CliRun> RunDllAsync(string dll, params string[] args)
    {
        Assert.True(File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), $"{dll} and its runtimeconfig exist");
        var start = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) || Environment.ProcessPath.EndsWith("dotnet.exe", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliRun(process.ExitCode, await output, await error);
    }
}
