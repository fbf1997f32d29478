using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Protocol;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Idempotency;

/// <summary>
/// Runs mutating calls at most once per (point of sale, requestId): the first answer (result or middleware error)
/// is stored before it is sent (on disk, or written for the OS to flush: the method's <see cref="AnswerDurability"/>),
/// and replayed for every repeat. Repeats that arrive while the first call still runs wait for it (one lock per key,
/// across all connections).
/// </summary>
internal sealed class IdempotencyGate(IdempotencyStore store, TimeProvider timeProvider, ILogger<IdempotencyGate> logger)
{
    /// <summary>The parameter every mutating method declares.</summary>
    public const string RequestIdParameter = "requestId";

    private readonly KeyedAsyncLock locks = new();

    // The pipe's writer escapes with the default encoder whatever the serializer options say (StreamJsonRpc's
    // formatter keeps its own writer options), so answers are stored with that encoder: a replay, written back as
    // raw bytes (RawJsonAnswer), is then byte for byte the first answer. Keyed by the server's wire options (one
    // instance per server, not the formatter's per-connection copy), so this is built once.
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> WireOptions = new();

    public IdempotencyStore Store => store;

    public async ValueTask<JsonRpcMessage> ExecuteAsync(
        JsonRpcRequest request,
        Server.RpcMethodEntry method,
        PointOfSaleId pointOfSale,
        JsonSerializerOptions jsonOptions,
        Func<ValueTask<JsonRpcMessage>> run,
        CancellationToken cancellationToken)
    {
        var parameters = method.Parameters;
        var requestIdIndex = method.RequestIdIndex;
        var durability = method.Durability;
        if (!TryReadRequestId(request, requestIdIndex, out var requestId))
        {
            return ProtocolErrors.ErrorMessage(request, ProtocolErrors.For(ErrorCode.RequestIdRequired,
                $"Method '{request.Method}' changes state: it needs a 'requestId' parameter holding a UUID chosen by the till."));
        }

        string paramsHash;
        try
        {
            paramsHash = ParamsHasher.Hash(ReadArguments(request, parameters, requestIdIndex));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return ProtocolErrors.ErrorMessage(request, ProtocolErrors.Standard(ProtocolErrors.InvalidParams, "The parameters could not be read."));
        }

        var posKey = pointOfSale.ToString();
        using (await locks.AcquireAsync(posKey + "|" + requestId, cancellationToken).ConfigureAwait(false))
        {
            var existing = await store.FindAsync(posKey, requestId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (!string.Equals(existing.Method, request.Method, StringComparison.Ordinal) || !string.Equals(existing.ParamsHash, paramsHash, StringComparison.Ordinal))
                {
                    logger.LogWarning("Request id {RequestId} of point of sale {PointOfSale} reused for {Method} with different parameters (first: {FirstMethod})", requestId, posKey, request.Method, existing.Method);
                    return ProtocolErrors.ErrorMessage(request, ProtocolErrors.For(ErrorCode.RequestIdReused,
                        $"requestId {requestId} was first used on {existing.CreatedAt:O} for '{existing.Method}' with other parameters."));
                }

                logger.LogInformation("Replaying the first answer of {Method} for request id {RequestId} of point of sale {PointOfSale}", request.Method, requestId, posKey);
                return Replay(request, existing);
            }

            var response = await run().ConfigureAwait(false);
            var toStore = ToStoredAnswer(request.Method!, paramsHash, response, jsonOptions);
            if (toStore is not null)
            {
                // Not cancellable: the method ran, its answer must be kept even if this till has gone.
                await store.TryAddAsync(posKey, requestId, toStore, durability == AnswerDurability.PowerCut, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                logger.LogDebug("Answer of {Method} not kept: {Type} {Data}", request.Method, response.GetType().Name, (response as JsonRpcError)?.Error?.Data?.GetType().Name);
            }

            return response;
        }
    }

    internal static bool TryReadRequestId(JsonRpcRequest request, int index, out string requestId)
    {
        requestId = "";
        try
        {
            if (!request.TryGetArgumentByNameOrIndex(RequestIdParameter, index, typeof(JsonElement), out var value) || value is not JsonElement element || element.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            if (!Guid.TryParse(element.GetString(), out var guid) || guid == Guid.Empty)
            {
                return false;
            }

            requestId = guid.ToString("D");
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
    }

    private static List<KeyValuePair<string, JsonElement>> ReadArguments(JsonRpcRequest request, ParameterInfo[] parameters, int requestIdIndex)
    {
        var result = new List<KeyValuePair<string, JsonElement>>();
        if (request.ArgumentNames is { } names)
        {
            foreach (var name in names)
            {
                if (string.Equals(name, RequestIdParameter, StringComparison.Ordinal))
                {
                    continue;
                }

                if (request.TryGetArgumentByNameOrIndex(name, -1, typeof(JsonElement), out var value) && value is JsonElement element)
                {
                    result.Add(new(name, element));
                }
            }

            return result;
        }

        for (var i = 0; i < request.ArgumentCount; i++)
        {
            if (i == requestIdIndex)
            {
                continue;
            }

            var name = i < parameters.Length ? parameters[i].Name ?? $"#{i}" : $"#{i}";
            if (request.TryGetArgumentByNameOrIndex(null, i, typeof(JsonElement), out var value) && value is JsonElement element)
            {
                result.Add(new(name, element));
            }
        }

        return result;
    }

    private StoredAnswer? ToStoredAnswer(string method, string paramsHash, JsonRpcMessage response, JsonSerializerOptions jsonOptions)
    {
        switch (response)
        {
            case JsonRpcResult result:
                var wire = WireOptions.GetValue(jsonOptions, o => new JsonSerializerOptions(o) { Encoder = null });
                var json = JsonSerializer.Serialize(result.Result, result.ResultDeclaredType ?? result.Result?.GetType() ?? typeof(object), wire);
                return new StoredAnswer(method, paramsHash, false, json, timeProvider.GetUtcNow());
            case JsonRpcError { Error: { } error } when ProtocolErrors.IsMapped(error) && (int)error.Code >= 1000:
                // A middleware error is an answer (e.g. insufficient balance); protocol errors (bad params,
                // cancellation) mean the method did not run, so a corrected retry may use the same id.
                var errorJson = JsonSerializer.Serialize(new StoredError((int)error.Code, error.Message ?? "", error.Data), WireOptions.GetValue(jsonOptions, o => new JsonSerializerOptions(o) { Encoder = null }));
                return new StoredAnswer(method, paramsHash, true, errorJson, timeProvider.GetUtcNow());
            default:
                return null;
        }
    }

    private static JsonRpcMessage Replay(JsonRpcRequest request, StoredAnswer answer)
    {
        if (!answer.IsError)
        {
            return new JsonRpcResult { RequestId = request.RequestId, Result = new RawJsonAnswer(answer.AnswerJson), ResultDeclaredType = typeof(RawJsonAnswer) };
        }

        using var document = JsonDocument.Parse(answer.AnswerJson);
        var root = document.RootElement;
        return new JsonRpcError
        {
            RequestId = request.RequestId,
            Error = new JsonRpcError.ErrorDetail
            {
                Code = (StreamJsonRpc.Protocol.JsonRpcErrorCode)root.GetProperty("code").GetInt32(),
                Message = root.GetProperty("message").GetString(),
                Data = root.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null ? new RawJsonAnswer(data.GetRawText()) : null,
            },
        };
    }
}
