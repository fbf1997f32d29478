using Xunit;
using System.Diagnostics;
using Middleware.Cards.Pcsc;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// The real PC/SC stack: starts pcscd (with vsmartcard-vpcd) through tests/pcsc/start-pcscd.sh when it is not
/// running, and shares one <see cref="ISmartCardSystem"/>. When pcscd cannot be started the tests of the collection
/// fail (they never skip): CI installs pcscd and vsmartcard-vpcd, and so must a developer running them.
/// </summary>
public sealed class PcscFixture : IAsyncLifetime
{
    public const string FirstReader = "Virtual PCD 00 00";
    public const string SecondReader = "Virtual PCD 00 01";

    private ISmartCardSystem? _system;

    // Held while this test assembly uses pcscd and vpcd (these tests kill and restart pcscd): the other projects that
    // use the virtual readers take the same lock (PcscTestLock), so they never run at the same time.
    private FileStream? _lock;

    public ISmartCardSystem System => _system ?? throw new InvalidOperationException("The PC/SC fixture is not initialised.");

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Middleware.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Middleware.sln).");
        }
    }

    public async Task InitializeAsync()
    {
        _lock = await Middleware.Tests.Pcsc.PcscTestLock.AcquireAsync(TimeSpan.FromMinutes(4));
        await RunStartScriptAsync(restart: false);
        _system = PcscServiceCollectionExtensions.CreateSmartCardSystem();
        await WaitForReaderAsync(FirstReader, TimeSpan.FromSeconds(15));
    }

    public Task DisposeAsync()
    {
        (_system as IDisposable)?.Dispose();
        _lock?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs the start script (or, with <paramref name="restart"/>, kills pcscd hard and starts it again).</summary>
    public static async Task RunStartScriptAsync(bool restart)
    {
        var script = Path.Combine(RepositoryRoot, "tests", "pcsc", "start-pcscd.sh");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        if (restart)
        {
            start.ArgumentList.Add("--restart");
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot run " + script);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"pcscd is required by the PC/SC tests and could not be started (install pcscd and vsmartcard-vpcd; run as root): {await error}");
        }
    }

    /// <summary>Waits (real time: this is the real pcscd) until <paramref name="reader"/> is listed.</summary>
    public async Task WaitForReaderAsync(string reader, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = await System.GetStatusAsync(CancellationToken.None);
                if (status.Any(s => s.ReaderName == reader))
                {
                    return;
                }

                await System.WaitForChangeAsync(status, TimeSpan.FromMilliseconds(500), CancellationToken.None);
            }
            catch (SmartCardException ex) when (ex.IsServiceLost)
            {
                last = ex;
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"Reader '{reader}' did not appear within {timeout}.", last);
    }

    /// <summary>The status once no reader has changed for 300 ms (a removal by a previous test may still be settling).</summary>
    public async Task<IReadOnlyList<SmartCardReaderStatus>> StableStatusAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var status = await System.GetStatusAsync(CancellationToken.None);
        while (DateTime.UtcNow < deadline)
        {
            var after = await System.WaitForChangeAsync(status, TimeSpan.FromMilliseconds(300), CancellationToken.None);
            if (after.Select(s => (s.ReaderName, s.State, s.EventCount)).SequenceEqual(status.Select(s => (s.ReaderName, s.State, s.EventCount))))
            {
                return after;
            }

            status = after;
        }

        throw new TimeoutException("The readers did not settle within 10 s.");
    }

    /// <summary>Waits until the reader's status satisfies <paramref name="condition"/>, through WaitForChangeAsync.</summary>
    public async Task<SmartCardReaderStatus> WaitForStateAsync(string reader, Func<SmartCardReaderStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var status = await System.GetStatusAsync(CancellationToken.None);
        while (true)
        {
            var mine = status.FirstOrDefault(s => s.ReaderName == reader);
            if (mine is not null && condition(mine))
            {
                return mine;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Reader '{reader}' did not reach the expected state within {timeout} (last: {mine?.State}).");
            }

            status = await System.WaitForChangeAsync(status, left, CancellationToken.None);
        }
    }
}

/// <summary>One vpcd port per reader: the PC/SC tests run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PcscCollection : ICollectionFixture<PcscFixture>
{
    public const string Name = "pcsc";
}
