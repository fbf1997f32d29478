using System.Diagnostics;

namespace Middleware.Chaos.Tests;

/// <summary>pcscd with vsmartcard-vpcd, started (and restarted) by the repository's script, as root.</summary>
internal static class Pcscd
{
    public static async Task StartAsync(CancellationToken ct)
    {
        var (code, error) = await RunAsync("/bin/sh", [Path.Combine(HostProcess.RepositoryRoot(), "tests", "pcsc", "start-pcscd.sh")], ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"pcscd with vsmartcard-vpcd is needed for card sales (run as root, or MW_CHAOS_CARD_TILLS=0): {error}");
        }
    }

    /// <summary>Kills pcscd hard, as a crash would (the readers and any card on them vanish), and starts it again.</summary>
    public static async Task RestartAsync(CancellationToken ct)
    {
        var (code, error) = await RunAsync("/bin/sh", [Path.Combine(HostProcess.RepositoryRoot(), "tests", "pcsc", "start-pcscd.sh"), "--restart"], ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"pcscd did not come back: {error}");
        }
    }

    private static async Task<(int Code, string Error)> RunAsync(string file, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot run {file}.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await error);
    }
}
