using System.IO.Pipes;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Client.Connection;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Middleware.Client;

/// <summary>
/// A till's connection to the middleware: JSON-RPC 2.0, one JSON message per line, over the named pipe.
/// Thread-safe: calls may be made concurrently. Notifications (card taps...) arrive as events, on a thread-pool thread.
/// </summary>
/// <example>
/// <code>
/// await using var client = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions { PointOfSale = "1-1-1-1-1", TillName = "MyTill 2.1" });
/// client.CardTapped += (_, card) => Console.WriteLine(card.IdSupport);
/// var readers = await client.ListReadersAsync();
/// </code>
/// </example>
public sealed class MiddlewareClient : IAsyncDisposable
{
    /// <summary>The parameter carrying the request id of a mutating call.</summary>
    public const string RequestIdParameter = "requestId";

    private static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private readonly MiddlewareClientOptions options;
    private readonly SemaphoreSlim connectLock = new(1, 1);
    private Connection? current;
    private bool disposed;

    private MiddlewareClient(MiddlewareClientOptions options) => this.options = options;

    /// <summary>A card was read on a reader of this till's point of sale.</summary>
    public event EventHandler<CardTappedEvent>? CardTapped;

    /// <summary>A card was presented on a reader of this till's point of sale but could not be read.</summary>
    public event EventHandler<CardReadFailedEvent>? CardReadFailed;

    /// <summary>A card left a reader of this till's point of sale.</summary>
    public event EventHandler<CardRemovedEvent>? CardRemoved;

    /// <summary>The set of readers or their state changed.</summary>
    public event EventHandler<ReadersChangedEvent>? ReadersChanged;

    /// <summary>The connection was lost (the next call reconnects).</summary>
    public event EventHandler? Disconnected;

    /// <summary>The last <c>hello</c> answer, or null before hello.</summary>
    public HelloInfo? HelloInfo { get; private set; }

    /// <summary>True while a connection is open.</summary>
    public bool IsConnected => current is { Rpc.IsDisposed: false };

    /// <summary>Connects to the pipe and, when <see cref="MiddlewareClientOptions.PointOfSale"/> is set, says hello.</summary>
    /// <exception cref="MiddlewareConnectionException">The pipe could not be reached in time.</exception>
    /// <exception cref="MiddlewareRpcException">hello was refused (e.g. 1001, unknown point of sale).</exception>
    public static async Task<MiddlewareClient> ConnectAsync(MiddlewareClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new MiddlewareClient(options);
        try
        {
            await client.EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Binds this connection (and later reconnections) to <paramref name="pointOfSale"/>.</summary>
    public async Task<HelloInfo> HelloAsync(string pointOfSale, string? tillName = null, CancellationToken cancellationToken = default)
    {
        options.PointOfSale = pointOfSale;
        if (tillName is not null)
        {
            options.TillName = tillName;
        }

        var connection = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (HelloInfo is { } info && info.PointOfSale == pointOfSale)
        {
            return info;
        }

        return await SayHelloAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls any method with named parameters (an object or dictionary; null for none) and returns the raw
    /// JSON result. Does not add a request id: use <see cref="CallMutatingAsync(string, object?, Guid?, CancellationToken)"/>
    /// for methods that change state.</summary>
    /// <exception cref="MiddlewareRpcException">The middleware answered an error.</exception>
    /// <exception cref="MiddlewareConnectionException">The connection failed.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="MiddlewareClientOptions.CallTimeout"/>.</exception>
    public Task<JsonElement> CallAsync(string method, object? parameters = null, CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>(method, parameters, cancellationToken);

    /// <summary>Calls any method and deserialises its result as <typeparamref name="T"/> (camelCase JSON).</summary>
    public async Task<T> CallAsync<T>(string method, object? parameters = null, CancellationToken cancellationToken = default)
    {
        var arguments = ToArguments(parameters);
        var connection = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        return await InvokeOnceAsync<T>(connection, method, arguments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Calls a method that changes state. A <c>requestId</c> is added (<paramref name="requestId"/>, or a new UUID);
    /// when the connection is lost or the call times out the call is retried, after reconnecting, with the SAME
    /// request id, so the middleware replays the first answer instead of acting twice.
    /// </summary>
    public Task<JsonElement> CallMutatingAsync(string method, object? parameters = null, Guid? requestId = null, CancellationToken cancellationToken = default) =>
        CallMutatingAsync<JsonElement>(method, parameters, requestId, cancellationToken);

    /// <inheritdoc cref="CallMutatingAsync(string, object?, Guid?, CancellationToken)"/>
    public async Task<T> CallMutatingAsync<T>(string method, object? parameters = null, Guid? requestId = null, CancellationToken cancellationToken = default)
    {
        var arguments = ToArguments(parameters) ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        var id = requestId ?? (arguments.TryGetValue(RequestIdParameter, out var given) && given is JsonElement { ValueKind: JsonValueKind.String } s && Guid.TryParse(s.GetString(), out var parsed) ? parsed : Guid.NewGuid());
        arguments[RequestIdParameter] = id.ToString("D");
        var attempts = Math.Max(1, options.MutatingAttempts);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
                return await InvokeOnceAsync<T>(connection, method, arguments, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < attempts && ex is MiddlewareConnectionException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // Lost or silent connection: start over on a fresh one, same request id.
                await DropConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The no-op <c>ping</c>.</summary>
    public Task PingAsync(CancellationToken cancellationToken = default) => CallAsync<JsonElement>("ping", null, cancellationToken);

    /// <summary><c>plugins.status</c>: every plugin and its state.</summary>
    public Task<IReadOnlyList<PluginStatus>> GetPluginStatusAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<PluginStatus>>("plugins.status", null, cancellationToken);

    /// <summary><c>readers.list</c>: the readers of this till's point of sale.</summary>
    public Task<IReadOnlyList<ReaderInfo>> ListReadersAsync(CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<ReaderInfo>>("readers.list", null, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await DropConnectionAsync().ConfigureAwait(false);
        connectLock.Dispose();
    }

    // A payment may wait for the customer at a terminal (card, PIN): it has its own, longer budget.
    private TimeSpan TimeoutOf(string method) => method is "sale.pay" or "payment.cancel" ? options.PaymentCallTimeout : options.CallTimeout;

    private async Task<T> InvokeOnceAsync<T>(Connection connection, string method, Dictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        // StreamJsonRpc waits for the server's answer to a cancellation; a silent server would keep us waiting,
        // so the timeout abandons the call locally instead (its late answer, if any, is dropped).
        Task<T>? call = null;
        try
        {
            call = arguments is null
                ? connection.Rpc.InvokeWithCancellationAsync<T>(method, [], cancellationToken)
                : connection.Rpc.InvokeWithParameterObjectAsync<T>(method, arguments, cancellationToken);
            return await call.WaitAsync(TimeoutOf(method), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Observe(call);
            throw new TimeoutException($"No answer to '{method}' within {TimeoutOf(method)}.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(call);
            throw;
        }
        catch (RemoteInvocationException ex)
        {
            throw ToException(ex.ErrorCode, ex.Message, ex.DeserializedErrorData ?? ex.ErrorData, ex);
        }
        catch (RemoteMethodNotFoundException ex)
        {
            throw ToException((int)ex.ErrorCode, ex.Message, ex.ErrorData, ex);
        }
        catch (Exception ex) when (ex is ConnectionLostException or ObjectDisposedException or IOException)
        {
            throw new MiddlewareConnectionException($"The connection to the middleware was lost during '{method}'.", ex);
        }
    }

    private static void Observe(Task? abandoned) =>
        abandoned?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static MiddlewareRpcException ToException(int code, string message, object? data, Exception inner)
    {
        string? detail = null;
        JsonElement? payload = null;
        if (data is JsonElement { ValueKind: JsonValueKind.Object } element)
        {
            if (element.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                detail = d.GetString();
            }

            if (element.TryGetProperty("payload", out var p) && p.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                payload = p.Clone();
            }
        }

        return new MiddlewareRpcException(code, message, detail, payload, inner);
    }

    private async Task<Connection> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (current is { Rpc.IsDisposed: false } open)
        {
            return open;
        }

        await connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is { Rpc.IsDisposed: false } again)
            {
                return again;
            }

            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            current = connection;
            HelloInfo = null;
            if (options.PointOfSale is not null)
            {
                await SayHelloAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        finally
        {
            connectLock.Release();
        }
    }

    private async Task<HelloInfo> SayHelloAsync(Connection connection, CancellationToken cancellationToken)
    {
        var info = await InvokeOnceAsync<HelloInfo>(connection, "hello", new Dictionary<string, object?>
        {
            ["pointOfSale"] = options.PointOfSale,
            ["till"] = options.TillName,
        }, cancellationToken).ConfigureAwait(false);
        HelloInfo = info;
        return info;
    }

    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        var address = ServerLocation.Resolve(options);
        var stream = new NamedPipeClientStream(".", address, PipeDirection.InOut, PipeOptions.Asynchronous);
        try
        {
            await stream.ConnectAsync((int)options.ConnectTimeout.TotalMilliseconds, cancellationToken).ConfigureAwait(false);
            if (OperatingSystem.IsLinux())
            {
                ServerIdentityCheck.Verify(stream.SafePipeHandle.DangerousGetHandle(), address, options.ExpectedServerUser);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            // SocketException: Unix refusals such as EACCES when the socket's mode or ACL keeps this account out.
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new MiddlewareConnectionException($"The middleware pipe '{address}' could not be reached: {ex.Message}", ex);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var formatter = new OwnedBufferFormatter { JsonSerializerOptions = CreateJsonOptions() };
        var handler = new NewLineDelimitedMessageHandler(stream, stream, formatter) { NewLine = NewLineDelimitedMessageHandler.NewLineStyle.Lf };
        var rpc = new ClientJsonRpc(handler);
        var connection = new Connection(stream, rpc);
        Register(rpc, "card.tapped", nameof(OnCardTapped));
        Register(rpc, "card.readFailed", nameof(OnCardReadFailed));
        Register(rpc, "card.removed", nameof(OnCardRemoved));
        Register(rpc, "readers.changed", nameof(OnReadersChanged));
        rpc.Disconnected += (_, _) =>
        {
            if (ReferenceEquals(current, connection))
            {
                Disconnected?.Invoke(this, EventArgs.Empty);
            }
        };
        rpc.StartListening();
        return connection;
    }

    private void Register(JsonRpc rpc, string name, string handlerName)
    {
        var method = typeof(MiddlewareClient).GetMethod(handlerName, BindingFlags.NonPublic | BindingFlags.Instance)!;
        rpc.AddLocalRpcMethod(method, this, new JsonRpcMethodAttribute(name) { UseSingleObjectParameterDeserialization = true });
    }

    private void OnCardTapped(CardTappedEvent e) => CardTapped?.Invoke(this, e);

    private void OnCardReadFailed(CardReadFailedEvent e) => CardReadFailed?.Invoke(this, e);

    private void OnCardRemoved(CardRemovedEvent e) => CardRemoved?.Invoke(this, e);

    private void OnReadersChanged(ReadersChangedEvent e) => ReadersChanged?.Invoke(this, e);

    private async Task DropConnectionAsync()
    {
        var connection = Interlocked.Exchange(ref current, null);
        if (connection is not null)
        {
            connection.Rpc.Dispose();
            await connection.Stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Dictionary<string, object?>? ToArguments(object? parameters)
    {
        switch (parameters)
        {
            case null:
                return null;
            case IReadOnlyDictionary<string, object?> dictionary:
                return new Dictionary<string, object?>(dictionary, StringComparer.Ordinal);
        }

        var element = parameters as JsonElement? ?? JsonSerializer.SerializeToElement(parameters, parameters.GetType(), JsonOptions);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("Parameters must be a JSON object (named parameters).", nameof(parameters));
        }

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }

        return result;
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var jsonOptions = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            PropertyNameCaseInsensitive = true,
        };
        jsonOptions.Converters.Add(new JsonStringEnumConverter());
        return jsonOptions;
    }

    private sealed record Connection(Stream Stream, JsonRpc Rpc);

    private sealed class ClientJsonRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
    {
        // Keep the error's data as raw JSON: {detail, payload}.
        protected override Type? GetErrorDetailsDataType(JsonRpcError error) => typeof(JsonElement);
    }
}
