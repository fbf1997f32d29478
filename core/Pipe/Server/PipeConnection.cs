using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Idempotency;
using Middleware.Pipe.Protocol;
using StreamJsonRpc;

namespace Middleware.Pipe.Server;

/// <summary>One till connected on the pipe: its JSON-RPC endpoint, its point of sale once it said hello, the
/// notifications routed to it, and its limits (calls in flight, unread answers, idle time, log entries).</summary>
internal sealed class PipeConnection : IAsyncDisposable, IConnectionEvents
{
    public const string ProtocolVersion = "1.0";

    private static readonly MethodInfo HelloMethodInfo = typeof(PipeConnection).GetMethod(nameof(Hello))!;
    private static readonly MethodInfo ParseErrorMethodInfo = typeof(PipeConnection).GetMethod(nameof(ParseError))!;
    private static readonly MethodInfo RequestIdRequiredMethodInfo = typeof(PipeConnection).GetMethod(nameof(RequestIdRequired))!;
    private static readonly MethodInfo DuplicateRequestIdMethodInfo = typeof(PipeConnection).GetMethod(nameof(DuplicateRequestId))!;
    private static readonly MethodInfo InvalidRequestMethodInfo = typeof(PipeConnection).GetMethod(nameof(InvalidRequest))!;

    private readonly Stream stream;
    private readonly BoundedLineMessageHandler handler;
    private readonly TillJsonRpc rpc;
    private readonly RpcMethodRegistry registry;
    private readonly PointOfSaleDirectory pointsOfSale;
    private readonly ILogger logger;
    private readonly ConnectionSlots? slots;
    private readonly LogRateLimiter logLimiter;
    private readonly ConnectionIdleTimer idleTimer;
    private volatile TillContext? till;

    // slots: the server's, for hello to take a till's slot; null in tests of one connection.
    // jsonOptions: the server's wire options (PipeJson.CreateWireOptions), built once; PipeJson.Default when null.
    public PipeConnection(long id, Stream stream, RpcMethodRegistry registry, IdempotencyGate gate, PointOfSaleDirectory pointsOfSale, PipeServerOptions options, string peer, ILogger logger, bool isOperator = false, TimeProvider? timeProvider = null, ConnectionSlots? slots = null, JsonSerializerOptions? jsonOptions = null)
    {
        jsonOptions ??= PipeJson.Default;
        timeProvider ??= TimeProvider.System;
        this.slots = slots;
        logLimiter = new LogRateLimiter(options.MaxLogEntriesPerConnectionPerMinute, timeProvider);
        InFlight = new InFlightCalls(options.MaxInFlightPerConnection);
        IsOperator = isOperator;
        Id = id.ToString(CultureInfo.InvariantCulture);
        Peer = peer;
        this.stream = stream;
        this.registry = registry;
        this.pointsOfSale = pointsOfSale;
        this.logger = logger;

        // The formatter copies the options to add converters bound to this connection (StreamJsonRpc's design); the
        // metadata they resolve to is the shared, source-generated one.
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = jsonOptions };
        handler = new BoundedLineMessageHandler(stream, formatter, options, registry.MutatingRequestIdIndex, InFlight, this, timeProvider);
        rpc = new TillJsonRpc(handler, this, registry, gate, jsonOptions)
        {
            SynchronizationContext = InlineSynchronizationContext.Instance,
            TraceSource = QuietTrace,
        };
        rpc.AddLocalRpcMethod(BoundedLineMessageHandler.DuplicateRequestIdMethod, DuplicateRequestIdMethodInfo, this);
        rpc.AddLocalRpcMethod(RpcMethodRegistry.HelloMethod, HelloMethodInfo, this);
        rpc.AddLocalRpcMethod(BoundedLineMessageHandler.ParseErrorMethod, ParseErrorMethodInfo, this);
        rpc.AddLocalRpcMethod(BoundedLineMessageHandler.InvalidRequestMethod, InvalidRequestMethodInfo, this);
        rpc.AddLocalRpcMethod(BoundedLineMessageHandler.RequestIdRequiredMethod, RequestIdRequiredMethodInfo, this);
        foreach (var method in registry.Methods)
        {
            rpc.AddLocalRpcMethod(method.Name, method.Method, method.Target);
        }

        // Connections that never said hello close at Debug: opening and dropping connections must not flood the log.
        rpc.Disconnected += (_, e) => logger.Log(till is null ? LogLevel.Debug : LogLevel.Information, "Till connection {ConnectionId} ({PointOfSale}) closed: {Reason} {Description}", Id, till?.PointOfSale.ToString() ?? "no hello", e.Reason, e.Description);
        idleTimer = new ConnectionIdleTimer(timeProvider, options.HelloTimeout, options.IdleTimeout, () => this.till is not null, () => InFlight.Count, Close);
    }

    public string Id { get; }

    /// <summary>Who connected (user and uid), for logs.</summary>
    public string Peer { get; }

    /// <summary>True when the peer's account may call operator methods (see <see cref="Security.PipeAccessPolicy.IsOperator"/>).</summary>
    public bool IsOperator { get; }

    /// <summary>The till, once it said hello.</summary>
    public TillContext? Till => till;

    /// <summary>The calls read and not yet answered.</summary>
    internal InFlightCalls InFlight { get; }

    /// <summary>Bytes examined for newlines so far (framing must stay linear in the bytes received).</summary>
    internal long ScannedBytes => handler.ScannedBytes;

    /// <summary>Log entries about this connection left out by the rate limit.</summary>
    internal long SuppressedLogEntries => logLimiter.TotalSuppressed;

    /// <summary>Completes when the connection ends, for whatever reason.</summary>
    public Task Completion => rpc.Completion;

    public void Start() => rpc.StartListening();

    /// <summary>The <c>hello</c> method: binds this connection to a configured point of sale.</summary>
    public HelloResult Hello(string pointOfSale, string? till = null)
    {
        if (!PointOfSaleId.TryParse(pointOfSale, out var id))
        {
            throw new MiddlewareException(ErrorCode.UnknownPointOfSale, $"'{pointOfSale}' is not a point of sale (idCrous-idUg-idRu-idUd-idCaisse, e.g. 5-1-9-8-14).");
        }

        var configured = pointsOfSale.Find(id)
            ?? throw new MiddlewareException(ErrorCode.UnknownPointOfSale, $"Point of sale {id} is not configured on this host (section PointsOfSale).");

        if (slots is not null && !slots.TryPromote(this))
        {
            throw new MiddlewareException(ErrorCode.Busy, "Every till slot of this host is taken (Pipe:MaxConnections): retry later.");
        }

        var tillName = string.IsNullOrWhiteSpace(till) ? "unnamed till" : till.Trim();
        this.till = new TillContext(id, tillName, Id, Peer, IsOperator);
        logger.LogInformation("Till {TillName} said hello on connection {ConnectionId} for point of sale {PointOfSale} ({Label})", tillName, Id, id, configured.Label);
        return new HelloResult(ServerVersion, ProtocolVersion, id.ToString(), configured.Label, registry.Capabilities, NotificationNames.All, Id);
    }

    /// <summary>Dispatched for a line that is not JSON: answers -32700 with id null.</summary>
    public void ParseError() =>
        throw new LocalRpcException($"The message is not valid JSON-RPC: {handler.LastParseError}") { ErrorCode = ProtocolErrors.ParseError };

    /// <summary>Dispatched for a mutating call without a valid <c>requestId</c>: answers 1003.</summary>
    public void RequestIdRequired() =>
        throw new MiddlewareException(ErrorCode.RequestIdRequired, "This method changes state: it needs a 'requestId' parameter holding a UUID chosen by the till, reused on retry.");

    /// <summary>Dispatched for a malformed request (params that are not an object, no method...): answers -32600.</summary>
    public void InvalidRequest() =>
        throw new LocalRpcException($"The message is not a valid JSON-RPC 2.0 request: {handler.LastInvalidRequest}.") { ErrorCode = ProtocolErrors.InvalidRequest };

    /// <summary>The synthetic call made of a call whose id is already in flight on this connection. Registered so that it
    /// is dispatched: <see cref="TillJsonRpc"/> answers it (-32600 with that id, one rate-limited warning) before any method runs.</summary>
    public void DuplicateRequestId() =>
        throw new LocalRpcException("A call with this id is already in flight on this connection: wait for its answer, or give each call its own id.") { ErrorCode = ProtocolErrors.InvalidRequest };

    /// <summary>Writes a log entry about this connection unless it already wrote <c>Pipe:MaxLogEntriesPerConnectionPerMinute</c>
    /// this minute; the first entry after a muted stretch is preceded by how many were left out.</summary>
    internal void Log(Action<ILogger> write)
    {
        if (!logLimiter.TryEnter(out var suppressed))
        {
            return;
        }

        if (suppressed > 0)
        {
            logger.LogWarning("{Count} log entries about connection {ConnectionId} were left out (Pipe:MaxLogEntriesPerConnectionPerMinute)", suppressed, Id);
        }

        write(logger);
    }

    /// <summary>Ends the connection (a timeout, or room made for another); its pending calls are cancelled.</summary>
    internal void Close(string reason)
    {
        if (rpc.IsDisposed)
        {
            return;
        }

        logger.Log(till is null ? LogLevel.Debug : LogLevel.Information, "Closing connection {ConnectionId} ({PointOfSale}): {Reason}", Id, till?.PointOfSale.ToString() ?? "no hello", reason);
        rpc.Dispose();
    }

    void IConnectionEvents.MessageRead() => idleTimer.Touch();

    void IConnectionEvents.MessageDropped(string what) =>
        Log(l => l.LogWarning("Connection {ConnectionId} sent {What}, which the protocol does not have: ignored", Id, what));

    void IConnectionEvents.WriteTimedOut()
    {
        logger.LogWarning("Connection {ConnectionId} ({PointOfSale}) did not read its answers: closed", Id, till?.PointOfSale.ToString() ?? "no hello");
        // Not from inside the write that timed out.
        _ = Task.Run(() => Close("write timeout"));
    }

    /// <summary>Sends a notification if this till said hello; never throws (a closing connection just misses it).</summary>
    public void Notify(string method, object payload)
    {
        if (till is null || rpc.IsDisposed)
        {
            return;
        }

        _ = SendAsync();

        async Task SendAsync()
        {
            try
            {
                await rpc.NotifyWithParameterObjectAsync(method, payload).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Notification {Method} not delivered to connection {ConnectionId}", method, Id);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        idleTimer.Dispose();
        rpc.Dispose();
        try
        {
            await rpc.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Connection {ConnectionId} ended with an error", Id);
        }

        await stream.DisposeAsync().ConfigureAwait(false);
    }

    internal static string ServerVersion { get; } =
        typeof(PipeConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(PipeConnection).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    // StreamJsonRpc's default trace source also records activity start/stop events on every call; its warnings went
    // to the default listener, which writes nowhere on the host: warnings only, one source for every connection.
    private static readonly System.Diagnostics.TraceSource QuietTrace = new("JsonRpc", System.Diagnostics.SourceLevels.Warning);
}
