using Middleware.Tests.Serial;
using System.Diagnostics;
using Xunit;

namespace Middleware.Serial.Tests.Support;

/// <summary>
/// A real pseudo-terminal pair made by socat, with stable names: <see cref="TetraPath"/> is the end the host opens (as
/// it would open /dev/ttyACM0), <see cref="SimPath"/> the simulated terminal's end. Killing socat is a USB unplug;
/// starting it again on the same paths a replug.
/// </summary>
internal sealed class SocatPtyPair : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly List<FileStream> _sims = [];
    private Process? _socat;

    private SocatPtyPair(string directory)
    {
        Directory = directory;
        TetraPath = Path.Combine(directory, "tetra");
        SimPath = Path.Combine(directory, "sim");
    }

    public string Directory { get; }

    public string TetraPath { get; }

    public string SimPath { get; }

    public static SocatPtyPair Start()
    {
        SocatFactAttribute.EnsureSocat();
        var pair = new SocatPtyPair(System.IO.Directory.CreateTempSubdirectory("mw-serial-").FullName);
        pair.Plug();
        return pair;
    }

    /// <summary>Starts socat and waits (bounded) until both links resolve to their pseudo-terminals.</summary>
    public void Plug()
    {
        var start = new ProcessStartInfo("socat") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"pty,raw,echo=0,link={TetraPath}");
        start.ArgumentList.Add($"pty,raw,echo=0,link={SimPath}");
        _socat = Process.Start(start) ?? throw new InvalidOperationException("socat did not start.");
        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(TetraPath) && File.Exists(SimPath)))
        {
            if (_socat.HasExited)
            {
                throw new InvalidOperationException($"socat exited ({_socat.ExitCode}): {_socat.StandardError.ReadToEnd()}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"socat made no pty pair in {StartTimeout}.");
            }

            Thread.Yield();
            _socat.WaitForExit(20);
        }
    }

    /// <summary>Kills socat (both pseudo-terminals vanish) and removes the stale links, as a USB unplug removes the node.</summary>
    public void Unplug()
    {
        if (_socat is { } socat)
        {
            try
            {
                socat.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            if (!socat.WaitForExit(10_000))
            {
                throw new TimeoutException("socat did not exit within 10 s of SIGKILL.");
            }

            socat.Dispose();
            _socat = null;
        }

        File.Delete(TetraPath);
        File.Delete(SimPath);
        foreach (var sim in _sims)
        {
            sim.Dispose();
        }

        _sims.Clear();
    }

    /// <summary>Whether socat still runs (it exits when an end it relays is closed for good).</summary>
    public bool SocatRunning => _socat is { HasExited: false };

    /// <summary>The simulated terminal's end, opened as a plain file (reads and writes go straight to the pty).</summary>
    public FileStream OpenSim()
    {
        var sim = new FileStream(SimPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        _sims.Add(sim);
        return sim;
    }

    /// <summary>The pseudo-terminal device the tetra link points at now.</summary>
    public string TetraDevice() => new FileInfo(TetraPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName
        ?? throw new InvalidOperationException($"{TetraPath} is not a link.");

    /// <summary>The line settings of the tetra end, as <c>stty -a</c> prints them, split into words.</summary>
    public IReadOnlySet<string> TetraLineSettings()
    {
        var start = new ProcessStartInfo("stty") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-F");
        start.ArgumentList.Add(TetraPath);
        start.ArgumentList.Add("-a");
        using var stty = Process.Start(start) ?? throw new InvalidOperationException("stty did not start.");
        var output = stty.StandardOutput.ReadToEnd();
        if (!stty.WaitForExit(10_000) || stty.ExitCode != 0)
        {
            throw new InvalidOperationException($"stty failed: {stty.StandardError.ReadToEnd()}");
        }

        return output.Split([' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }

    public void Dispose()
    {
        Unplug();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
