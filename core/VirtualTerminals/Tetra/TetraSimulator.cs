using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Middleware.VirtualTerminals.Tetra;

/// <summary>
/// A simulated Ingenico Tetra (<c>cards.md</c> §7) on one end of a <c>socat pty,raw,echo=0 pty,raw,echo=0</c> pair:
/// the host opens <see cref="TerminalPath"/> as it would open the terminal's USB port. Its behaviour (card present or
/// not, payment result, line faults) switches at any time with <see cref="SetBehaviour"/>; <see cref="UnplugAsync"/> and
/// <see cref="PlugAsync"/> remove and bring back the device on the same path.
/// </summary>
public sealed class TetraSimulator : ITetraTerminalControl, IAsyncDisposable
{
    private readonly PtyPair _pty;
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly TimeSpan _step;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly SemaphoreSlim _plugging = new(1, 1);
    private TetraBehaviour _behaviour = new();
    private FileStream? _end;
    private TetraTerminalSession? _session;

    private TetraSimulator(string directory, bool ownsDirectory, TimeSpan step, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        _pty = new PtyPair(directory);
        _step = step;
        _time = time;
        _logger = logger;
    }

    /// <summary>The path the host opens (a link to the pseudo-terminal), e.g. <c>/tmp/mw-tetra-x/tetra</c>.</summary>
    public string TerminalPath => _pty.TerminalPath;

    /// <summary>The current behaviour.</summary>
    public TetraBehaviour Behaviour => Volatile.Read(ref _behaviour);

    /// <summary>Every request message received whole, oldest first (e.g. <c>ZDC?01030</c>).</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Whether the device is plugged in.</summary>
    public bool IsPlugged => _session is not null;

    /// <summary>Starts a simulated terminal, plugged in.</summary>
    /// <param name="directory">Where the pty links go; a new temporary folder when null (removed on dispose).</param>
    /// <param name="stepTimeout">Each protocol step the terminal waits for the till; 3 s by default.</param>
    /// <param name="time">The clock; the system's by default.</param>
    /// <param name="logger">Logs; none by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<TetraSimulator> StartAsync(
        string? directory = null,
        TimeSpan? stepTimeout = null,
        TimeProvider? time = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        var owns = directory is null;
        var folder = directory ?? Directory.CreateTempSubdirectory("mw-tetra-").FullName;
        var simulator = new TetraSimulator(folder, owns, stepTimeout ?? TimeSpan.FromSeconds(3), time ?? TimeProvider.System, logger ?? NullLogger.Instance);
        try
        {
            await simulator.PlugAsync(cancellationToken).ConfigureAwait(false);
            return simulator;
        }
        catch
        {
            await simulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Switches the behaviour; the next request follows it (one under way keeps the one it started with).</summary>
    public void SetBehaviour(TetraBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        behaviour.Validate();
        Volatile.Write(ref _behaviour, behaviour);
        _logger.LogInformation("Simulated Tetra: behaviour card {Card}, payment {Payment}, line {Line}", behaviour.Card, behaviour.Payment, behaviour.Line);
    }

    /// <summary>Unplugs the device: socat dies, both pseudo-terminals and their links vanish.</summary>
    public async Task UnplugAsync()
    {
        await _plugging.WaitAsync().ConfigureAwait(false);
        try
        {
            await UnplugCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _plugging.Release();
        }
    }

    /// <summary>Plugs the device (back) in on the same path.</summary>
    public async Task PlugAsync(CancellationToken cancellationToken = default)
    {
        await _plugging.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is not null)
            {
                return;
            }

            await _pty.StartAsync(cancellationToken).ConfigureAwait(false);
            _end = _pty.OpenSimulatorEnd();
            _session = new TetraTerminalSession(_end, () => Behaviour, _step, _time, _logger, _requests.Enqueue);
            _logger.LogInformation("Simulated Tetra plugged in at {Path}", TerminalPath);
        }
        finally
        {
            _plugging.Release();
        }
    }

    /// <summary>Unplugs and removes the temporary folder it made.</summary>
    public async ValueTask DisposeAsync()
    {
        await UnplugAsync().ConfigureAwait(false);
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless.
            }
        }
    }

    private async Task UnplugCoreAsync()
    {
        // Killing socat first ends the blocked read of the simulator's end, so the session can stop.
        _pty.Stop();
        if (Interlocked.Exchange(ref _session, null) is { } session)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _end, null) is { } end)
        {
            await end.DisposeAsync().ConfigureAwait(false);
        }

        _logger.LogInformation("Simulated Tetra unplugged from {Path}", TerminalPath);
    }
}
