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

/// <summary>One till connected on the pipe: its JSON-RPC endpoint, its point of sale once it said hello, and the
/// notifications routed to it.</summary>
internal sealed class PipeConnection : IAsyncDisposable
{
    public const string ProtocolVersion = "1.0";

    private static readonly MethodInfo HelloMethodInfo = typeof(PipeConnection).GetMethod(nameof(Hello))!;
    private static readonly MethodInfo ParseErrorMethodInfo = typeof(PipeConnection).GetMethod(nameof(ParseError))!;
    private static readonly MethodInfo RequestIdRequiredMethodInfo = typeof(PipeConnection).GetMethod(nameof(RequestIdRequired))!;

    private readonly Stream stream;
    private readonly BoundedLineMessageHandler handler;
    private readonly TillJsonRpc rpc;
    private readonly RpcMethodRegistry registry;
    private readonly PointOfSaleDirectory pointsOfSale;
    private readonly ILogger logger;
    private volatile TillContext? till;

    public PipeConnection(long id, Stream stream, RpcMethodRegistry registry, IdempotencyGate gate, PointOfSaleDirectory pointsOfSale, PipeServerOptions options, string peer, ILogger logger, bool isOperator = false)
    {
        IsOperator = isOperator;
        Id = id.ToString(CultureInfo.InvariantCulture);
        Peer = peer;
        this.stream = stream;
        this.registry = registry;
        this.pointsOfSale = pointsOfSale;
        this.logger = logger;

        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = PipeJson.CreateOptions() };
        handler = new BoundedLineMessageHandler(stream, formatter, options.MaxMessageBytes, registry.MutatingRequestIdIndex);
        rpc = new TillJsonRpc(handler, this, registry, gate, formatter.JsonSerializerOptions, logger);
        rpc.AddLocalRpcMethod(RpcMethodRegistry.HelloMethod, HelloMethodInfo, this);
        rpc.AddLocalRpcMethod(BoundedLineMessageHandler.ParseErrorMethod, ParseErrorMethodInfo, this);
        rpc.AddLocalRpcMethod(BoundedLineMessageHandler.RequestIdRequiredMethod, RequestIdRequiredMethodInfo, this);
        foreach (var method in registry.Methods)
        {
            rpc.AddLocalRpcMethod(method.Name, method.Method, method.Target);
        }

        rpc.Disconnected += (_, e) => logger.LogInformation("Till connection {ConnectionId} ({PointOfSale}) closed: {Reason} {Description}", Id, till?.PointOfSale.ToString() ?? "no hello", e.Reason, e.Description);
    }

    public string Id { get; }

    /// <summary>Who connected (user and uid), for logs.</summary>
    public string Peer { get; }

    /// <summary>True when the peer's account may call operator methods (see <see cref="Security.PipeAccessPolicy.IsOperator"/>).</summary>
    public bool IsOperator { get; }

    /// <summary>The till, once it said hello.</summary>
    public TillContext? Till => till;

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

        var tillName = string.IsNullOrWhiteSpace(till) ? "unnamed till" : till.Trim();
        this.till = new TillContext(id, tillName, Id);
        logger.LogInformation("Till {TillName} said hello on connection {ConnectionId} for point of sale {PointOfSale} ({Label})", tillName, Id, id, configured.Label);
        return new HelloResult(ServerVersion, ProtocolVersion, id.ToString(), configured.Label, registry.Capabilities, NotificationNames.All, Id);
    }

    /// <summary>Dispatched for a line that is not JSON: answers -32700 with id null.</summary>
    public void ParseError() =>
        throw new LocalRpcException($"The message is not valid JSON-RPC: {handler.LastParseError}") { ErrorCode = ProtocolErrors.ParseError };

    /// <summary>Dispatched for a mutating call without a valid <c>requestId</c>: answers 1003.</summary>
    public void RequestIdRequired() =>
        throw new MiddlewareException(ErrorCode.RequestIdRequired, "This method changes state: it needs a 'requestId' parameter holding a UUID chosen by the till, reused on retry.");

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

    internal static JsonSerializerOptions JsonOptions { get; } = PipeJson.CreateOptions();
}
