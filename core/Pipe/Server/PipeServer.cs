using System.Collections.Concurrent;
using System.IO.Pipes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Idempotency;
using Middleware.Pipe.Notifications;
using Middleware.Pipe.Security;
using Middleware.PluginHost;

namespace Middleware.Pipe.Server;

/// <summary>
/// The till pipe server: listens on the named pipe, authorises each peer, and runs one JSON-RPC endpoint per
/// connection. A failing connection never affects the others. Started and stopped by the host (IHostedService).
/// </summary>
internal sealed class PipeServer : IHostedService, IAsyncDisposable
{
    private readonly PipeServerOptions options;
    private readonly IServiceProvider services;
    private readonly IdempotencyGate gate;
    private readonly PointOfSaleDirectory pointsOfSale;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<PipeServer> logger;
    private readonly PipeAccessPolicy accessPolicy;
    private readonly UnixSocketPlace? socketPlace;
    private readonly string? socketPath;
    private readonly ConcurrentDictionary<long, PipeConnection> connections = new();
    private readonly ConnectionSlots slots;
    private readonly LogRateLimiter acceptLog;
    private readonly List<Task> listeners = [];
    private CancellationTokenSource? stopping;
    private RpcMethodRegistry? registry;
    private System.Text.Json.JsonSerializerOptions? jsonOptions;
    private IDisposable? cardSubscription;
    private ITimer? purgeTimer;
    private long nextConnectionId;

    public PipeServer(IOptions<PipeServerOptions> options, IServiceProvider services, IdempotencyGate gate, PointOfSaleDirectory pointsOfSale, TimeProvider timeProvider, ILogger<PipeServer> logger)
    {
        this.options = options.Value;
        this.services = services;
        this.gate = gate;
        this.pointsOfSale = pointsOfSale;
        this.timeProvider = timeProvider;
        this.logger = logger;
        accessPolicy = new PipeAccessPolicy(this.options);
        slots = new ConnectionSlots(this.options.MaxConnections, this.options.MaxConnectionsBeforeHello, timeProvider);
        acceptLog = new LogRateLimiter(this.options.MaxLogEntriesPerConnectionPerMinute, timeProvider);
        if (!OperatingSystem.IsWindows())
        {
            socketPlace = new UnixSocketPlace(this.options);
            socketPath = socketPlace.SocketPath;
        }
    }

    /// <summary>Where tills connect: the pipe name on Windows, the socket path elsewhere.</summary>
    public string Address => socketPath ?? $@"\\.\pipe\{options.PipeName}";

    /// <summary>The connections currently open.</summary>
    internal IReadOnlyCollection<PipeConnection> Connections => (IReadOnlyCollection<PipeConnection>)connections.Values;

    /// <summary>Tills that said hello, and connections that have not yet.</summary>
    internal ConnectionSlots Slots => slots;

    internal RpcMethodRegistry Registry => registry ?? throw new InvalidOperationException("The pipe server is not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (stopping is not null)
        {
            throw new InvalidOperationException("The pipe server is already started.");
        }

        registry = new RpcMethodRegistry(services.GetServices<IRpcTarget>());
        var metadata = services.GetServices<RpcJsonMetadata>().ToList();
        jsonOptions = Protocol.PipeJson.CreateWireOptions(metadata.Select(m => m.Resolver), metadata.SelectMany(m => m.ReadByReflection));
        await gate.Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await PurgeAsync(cancellationToken).ConfigureAwait(false);
        purgeTimer = timeProvider.CreateTimer(_ => _ = PurgeAsync(CancellationToken.None), null, options.IdempotencyPurgeInterval, options.IdempotencyPurgeInterval);

        if (services.GetService<ICardEventSource>() is { } cardEvents)
        {
            cardSubscription = cardEvents.Subscribe(new CardEventRouter(this, pointsOfSale, logger));
        }

        stopping = new CancellationTokenSource();
        // The first listener is created here so a bad pipe name or a permission problem fails the start, not later.
        // Unix: the socket's private folder first, then its mode, group and ACL once bound (UnixSocketPlace).
        if (!OperatingSystem.IsWindows())
        {
            socketPlace!.Prepare();
        }

        var first = CreateServerStream();
        if (!OperatingSystem.IsWindows())
        {
            socketPlace!.Secure();
        }
        for (var i = 0; i < Math.Max(1, options.ListenerCount); i++)
        {
            var initial = i == 0 ? first : null;
            listeners.Add(Task.Run(() => ListenAsync(initial, stopping.Token), CancellationToken.None));
        }

        logger.LogInformation("Till pipe server listening on {Address} ({Methods} methods, current user only: {CurrentUserOnly}, allowed users: {AllowedUsers})",
            Address, registry.Capabilities.Count, accessPolicy.CurrentUserOnly, options.AllowedUsers);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (stopping is null)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        cardSubscription?.Dispose();
        cardSubscription = null;
        if (purgeTimer is not null)
        {
            await purgeTimer.DisposeAsync().ConfigureAwait(false);
            purgeTimer = null;
        }

        try
        {
            await Task.WhenAll(listeners).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Pipe listeners did not stop in time");
        }

        foreach (var connection in connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        connections.Clear();
        listeners.Clear();
        stopping.Dispose();
        stopping = null;
        logger.LogInformation("Till pipe server stopped");
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Sends a notification to every till of the given points of sale.</summary>
    internal void NotifyPointsOfSale(IReadOnlySet<Domain.PointsOfSale.PointOfSaleId> targets, string method, object payload)
    {
        if (targets.Count == 0)
        {
            return;
        }

        foreach (var connection in connections.Values)
        {
            if (connection.Till is { } till && targets.Contains(till.PointOfSale))
            {
                connection.Notify(method, payload);
            }
        }
    }

    /// <summary>Sends a notification to every till that said hello.</summary>
    internal void NotifyAll(string method, object payload)
    {
        foreach (var connection in connections.Values)
        {
            connection.Notify(method, payload);
        }
    }

    private NamedPipeServerStream CreateServerStream()
    {
        if (OperatingSystem.IsWindows() && !accessPolicy.CurrentUserOnly)
        {
            return WindowsPipeAcl.Create(options, options.PipeName);
        }

        var pipeOptions = PipeOptions.Asynchronous | (accessPolicy.CurrentUserOnly ? PipeOptions.CurrentUserOnly : PipeOptions.None);
        return new NamedPipeServerStream(socketPath ?? options.PipeName, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte, pipeOptions);
    }

    private async Task ListenAsync(NamedPipeServerStream? initial, CancellationToken cancellationToken)
    {
        var server = initial;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                server ??= CreateServerStream();
                await server.WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (UnauthorizedAccessException ex)
            {
                // CurrentUserOnly refused another account's connection: only that client is affected.
                logger.LogWarning("Refused a pipe connection from another user: {Reason}", ex.Message);
                server?.Dispose();
                server = null;
                continue;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Pipe listener failed; retrying");
                server?.Dispose();
                server = null;
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            var accepted = server;
            server = null;
            Accept(accepted);
        }

        server?.Dispose();
    }

    private void Accept(NamedPipeServerStream stream)
    {
        string peer;
        bool isOperator;
        try
        {
            if (!TryAuthorize(stream, out peer, out isOperator))
            {
                stream.Dispose();
                return;
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not check a pipe peer; connection refused");
            stream.Dispose();
            return;
        }

        var id = Interlocked.Increment(ref nextConnectionId);
        PipeConnection connection;
        try
        {
            connection = new PipeConnection(id, stream, Registry, gate, pointsOfSale, options, peer, logger, isOperator, timeProvider, slots, jsonOptions);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not set up pipe connection {ConnectionId}", id);
            stream.Dispose();
            return;
        }

        // Before hello a connection only takes one of the slots of its kind, never a till's (Pipe:MaxConnections is
        // checked by hello); the oldest connections still silent make room.
        foreach (var evicted in slots.Admit(connection))
        {
            if (acceptLog.TryEnter(out var suppressed))
            {
                logger.LogWarning("Pipe:MaxConnectionsBeforeHello ({Max}) connections have not said hello: closing the oldest, {ConnectionId} from {Peer} ({Suppressed} such entries left out before)",
                    options.MaxConnectionsBeforeHello, evicted.Id, evicted.Peer, suppressed);
            }

            evicted.Close("room made for a new connection (no hello yet)");
        }

        connections[id] = connection;
        logger.LogDebug("Pipe connection {ConnectionId} from {Peer}", connection.Id, peer);
        connection.Start();
        _ = connection.Completion.ContinueWith(
            async _ =>
            {
                slots.Remove(connection);
                if (connections.TryRemove(id, out var gone))
                {
                    await gone.DisposeAsync().ConfigureAwait(false);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private bool TryAuthorize(NamedPipeServerStream stream, out string peer, out bool isOperator)
    {
        isOperator = false;
        if (OperatingSystem.IsWindows())
        {
            // The pipe's DACL (or CurrentUserOnly) already kept other accounts out; the peer's account is not read there,
            // so operator methods are not told apart from till methods on Windows (documented in PROTOCOL.md).
            peer = "windows peer";
            isOperator = true;
            return true;
        }

        var identity = UnixPeerCredentials.TryGetPeer(stream.SafePipeHandle.DangerousGetHandle());
        if (identity is null)
        {
            peer = "unknown";
            logger.LogWarning("Pipe connection refused: the peer's credentials could not be read");
            return false;
        }

        peer = identity.ToString();
        if (!accessPolicy.IsAllowed(identity, UnixPeerCredentials.CurrentUid))
        {
            logger.LogWarning("Pipe connection refused for {Peer}: not the host's user and not in Pipe:AllowedUsers", peer);
            return false;
        }

        isOperator = accessPolicy.IsOperator(identity, UnixPeerCredentials.CurrentUid);
        return true;
    }

    private async Task PurgeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var removed = await gate.Store.PurgeAsync(timeProvider.GetUtcNow() - options.IdempotencyRetention, cancellationToken).ConfigureAwait(false);
            if (removed > 0)
            {
                logger.LogInformation("Purged {Count} idempotency answers older than {Retention}", removed, options.IdempotencyRetention);
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Idempotency purge failed");
        }
    }
}
