using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Middleware.VirtualTerminals.Tetra;

/// <summary>
/// The simulated Tetra behind a PCL bridge: a TCP port on loopback (<see cref="Address"/>, what the host opens as
/// <c>tcp://127.0.0.1:port</c>) where each connection talks to the terminal. Same behaviours as
/// <see cref="TetraSimulator"/>; <see cref="DropConnectionsAsync"/> is the bridge dropping its connection.
/// </summary>
public sealed class TetraBridgeSimulator : ITetraTerminalControl, IAsyncDisposable
{
    private const int MaxConnections = 4;
    private readonly TcpListener _listener;
    private readonly TimeSpan _step;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<TcpClient, TetraTerminalSession> _sessions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private TetraBehaviour _behaviour = new();

    private TetraBridgeSimulator(TimeSpan step, TimeProvider time, ILogger logger)
    {
        _step = step;
        _time = time;
        _logger = logger;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = Task.Run(() => AcceptAsync(_stop.Token));
    }

    /// <summary>The link address the host opens, e.g. <c>tcp://127.0.0.1:41234</c>.</summary>
    public string Address => $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The current behaviour.</summary>
    public TetraBehaviour Behaviour => Volatile.Read(ref _behaviour);

    /// <summary>Every request message received whole, oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>The connections open now.</summary>
    internal int ConnectionCount => _sessions.Count;

    /// <summary>Starts listening on a free loopback port.</summary>
    public static TetraBridgeSimulator Start(TimeSpan? stepTimeout = null, TimeProvider? time = null, ILogger? logger = null) =>
        new(stepTimeout ?? TimeSpan.FromSeconds(3), time ?? TimeProvider.System, logger ?? NullLogger.Instance);

    /// <summary>Switches the behaviour; the next request follows it.</summary>
    public void SetBehaviour(TetraBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        behaviour.Validate();
        Volatile.Write(ref _behaviour, behaviour);
    }

    /// <summary>Closes every open connection, as a bridge that loses its terminal does; new connections are accepted.</summary>
    public async Task DropConnectionsAsync()
    {
        foreach (var client in _sessions.Keys)
        {
            if (_sessions.TryRemove(client, out var session))
            {
                client.Dispose();
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accept.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await DropConnectionsAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            if (_sessions.Count >= MaxConnections)
            {
                // A bridge serves one terminal: a few connections are plenty, more are refused.
                client.Dispose();
                continue;
            }

            client.NoDelay = true;
            _logger.LogInformation("Simulated Tetra bridge: connection from {Peer}", client.Client.RemoteEndPoint);
            var session = new TetraTerminalSession(client.GetStream(), () => Behaviour, _step, _time, _logger, _requests.Enqueue);
            _sessions[client] = session;

            // A connection the host closed frees its place.
            _ = session.Completion.ContinueWith(
                _ =>
                {
                    if (_sessions.TryRemove(client, out var _))
                    {
                        client.Dispose();
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
