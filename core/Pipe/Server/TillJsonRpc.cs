using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Domain.Telemetry;
using Middleware.Pipe.Idempotency;
using Middleware.Pipe.Protocol;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Server;

/// <summary>
/// The JSON-RPC endpoint of one till connection: requires <c>hello</c> first, sets <see cref="TillContext.Current"/>
/// for each call, routes mutating calls through the <see cref="IdempotencyGate"/>, and maps every error to the
/// protocol's codes and French messages.
/// </summary>
internal sealed class TillJsonRpc : JsonRpc
{
    private readonly PipeConnection connection;
    private readonly RpcMethodRegistry registry;
    private readonly IdempotencyGate gate;
    private readonly JsonSerializerOptions jsonOptions;

    public TillJsonRpc(IJsonRpcMessageHandler handler, PipeConnection connection, RpcMethodRegistry registry, IdempotencyGate gate, JsonSerializerOptions jsonOptions)
        : base(handler)
    {
        this.connection = connection;
        this.registry = registry;
        this.gate = gate;
        this.jsonOptions = jsonOptions;
    }

    protected override async ValueTask<JsonRpcMessage> DispatchRequestAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        // The root span of a sale step and the call's metrics; the method tag is bounded (PipeMetrics.MethodTag).
        // Telemetry off (no listener, no meter): nothing is looked up, concatenated or timed.
        if (!MiddlewareTelemetry.Source.HasListeners() && !PipeMetrics.Enabled)
        {
            return await DispatchUnmeasuredAsync(request, targetMethod, cancellationToken).ConfigureAwait(false);
        }

        var method = PipeMetrics.MethodTag(registry, request.Method);
        using var span = MiddlewareTelemetry.Source.StartActivity(PipeMetrics.SpanName(method), ActivityKind.Server);
        var started = Stopwatch.GetTimestamp();
        JsonRpcMessage? answer = null;
        try
        {
            answer = await DispatchUnmeasuredAsync(request, targetMethod, cancellationToken).ConfigureAwait(false);
            return answer;
        }
        finally
        {
            var outcome = answer is null ? "exception" : PipeMetrics.OutcomeOf(answer);
            PipeMetrics.Called(method, outcome, Stopwatch.GetElapsedTime(started));
            if (outcome != "ok")
            {
                span?.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }
    }

    private async ValueTask<JsonRpcMessage> DispatchUnmeasuredAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        var name = request.Method ?? "";
        if (name is BoundedLineMessageHandler.DuplicateRequestIdMethod)
        {
            // One warning without stack trace (rate-limited per connection), never an internal error.
            connection.Log(l => l.LogWarning("Connection {ConnectionId} sent a call with id {RequestId} while another with that id is in flight: refused", connection.Id, request.RequestId));
            return ProtocolErrors.ErrorMessage(request, ProtocolErrors.Standard(ProtocolErrors.InvalidRequest,
                $"A call with id {request.RequestId} is already in flight on this connection: wait for its answer, or give each call its own id."));
        }

        if (name is RpcMethodRegistry.HelloMethod or BoundedLineMessageHandler.ParseErrorMethod or BoundedLineMessageHandler.InvalidRequestMethod)
        {
            return await base.DispatchRequestAsync(request, targetMethod, cancellationToken).ConfigureAwait(false);
        }

        var till = connection.Till;
        if (till is null)
        {
            return ProtocolErrors.ErrorMessage(request, ProtocolErrors.For(ErrorCode.HelloRequired, $"Call 'hello' with the till's point of sale before '{name}'."));
        }

        TillContext.Current = till;
        registry.TryGet(name, out var entry);
        if (entry is { Operator: true } && !connection.IsOperator)
        {
            connection.Log(l => l.LogWarning("Operator method {Method} refused to {Peer} on connection {ConnectionId}", name, connection.Peer, connection.Id));
            return ProtocolErrors.ErrorMessage(request, ProtocolErrors.For(ErrorCode.OperatorOnly,
                $"'{name}' is an operator method: call it from the host's own account, root, or an account of Pipe:OperatorUsers."));
        }

        if (entry is not null && entry.Mutating)
        {
            return await gate.ExecuteAsync(request, entry, till.PointOfSale, jsonOptions,
                () => DispatchCatchingAsync(request, targetMethod, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        return await base.DispatchRequestAsync(request, targetMethod, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A method that throws synchronously makes the base dispatch throw instead of answering an error;
    /// the idempotency gate needs the error as an answer to keep it.</summary>
    private async ValueTask<JsonRpcMessage> DispatchCatchingAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        try
        {
            return await base.DispatchRequestAsync(request, targetMethod, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return ProtocolErrors.ErrorMessage(request, CreateErrorDetails(request, ex));
        }
    }

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var detail = ProtocolErrors.FromException(exception);
        if ((int)detail.Code == (int)ErrorCode.InternalError)
        {
            connection.Log(l => l.LogError(exception, "Method {Method} failed on connection {ConnectionId}", request.Method, connection.Id));
        }
        else if (exception is not OperationCanceledException)
        {
            connection.Log(l => l.LogInformation("Method {Method} answered error {Code} on connection {ConnectionId}: {Detail}", request.Method, (int)detail.Code, connection.Id, (detail.Data as ErrorData)?.Detail));
        }

        return detail;
    }

    protected override async ValueTask SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        // Errors StreamJsonRpc makes itself (unknown method, bad parameters) get the same shape as ours.
        if (message is JsonRpcError { Error: { } error } && error.Data is not (ErrorData or JsonElement or Idempotency.RawJsonAnswer))
        {
            var code = (int)error.Code;
            error.Data = new ErrorData(error.Message ?? "");
            error.Message = ProtocolErrors.StandardMessages.TryGetValue(code, out var french) ? french : ProtocolErrors.StandardMessages[ProtocolErrors.InternalError];
        }

        // The id is freed before the answer is written, its slot after (InFlightCalls.Answering).
        var answering = message is JsonRpcResult or JsonRpcError && connection.InFlight.Answering(((IJsonRpcMessageWithId)message).RequestId);
        try
        {
            await base.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (answering)
            {
                connection.InFlight.AnswerWritten();
            }
        }
    }
}
