using System.Diagnostics;

namespace Middleware.VirtualTerminals.Tetra;

/// <summary>
/// A pseudo-terminal pair made by <c>socat pty,raw,echo=0 pty,raw,echo=0</c>, with stable link names:
/// <see cref="TerminalPath"/> is the end the host opens (as it would open /dev/ttyACM0), <see cref="SimulatorPath"/>
/// the simulated terminal's. Killing socat removes both ends, as a USB unplug removes the device node.
/// </summary>
internal sealed class PtyPair
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private Process? _socat;

    public PtyPair(string directory)
    {
        TerminalPath = Path.Combine(directory, "tetra");
        SimulatorPath = Path.Combine(directory, "tetra-sim");
    }

    public string TerminalPath { get; }

    public string SimulatorPath { get; }

    /// <summary>Starts socat and waits (bounded) until both links exist.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("socat") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"pty,raw,echo=0,link={TerminalPath}");
        start.ArgumentList.Add($"pty,raw,echo=0,link={SimulatorPath}");
        Process socat;
        try
        {
            socat = Process.Start(start) ?? throw new InvalidOperationException("socat did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("socat is needed for the simulated Tetra (apt-get install socat).", e);
        }

        _socat = socat;
        var waited = Stopwatch.StartNew();
        while (!(File.Exists(TerminalPath) && File.Exists(SimulatorPath)))
        {
            if (socat.HasExited)
            {
                throw new InvalidOperationException($"socat exited ({socat.ExitCode}): {await socat.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false)}");
            }

            if (waited.Elapsed > StartTimeout)
            {
                Stop();
                throw new TimeoutException($"socat made no pty pair in {StartTimeout}.");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills socat (both pseudo-terminals vanish) and removes the links.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _socat, null) is { } socat)
        {
            try
            {
                socat.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            if (!socat.WaitForExit(StopTimeout))
            {
                throw new TimeoutException($"socat did not exit within {StopTimeout} of SIGKILL.");
            }

            socat.Dispose();
        }

        File.Delete(TerminalPath);
        File.Delete(SimulatorPath);
    }

    /// <summary>The simulated terminal's end, as a plain file (reads and writes go straight to the pty).</summary>
    public FileStream OpenSimulatorEnd() =>
        new(SimulatorPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
}
