using System.Reflection;
using Middleware.Domain.Errors;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Middleware.Pipe.Protocol;

/// <summary>The <c>error.data</c> object of every error the server sends.</summary>
/// <param name="Detail">What happened, in English, for support (never secrets or full card numbers).</param>
/// <param name="Payload">Structured details for the till (e.g. the balance on a refusal), or null.</param>
public sealed record ErrorData(string Detail, object? Payload = null);

/// <summary>Turns failures into JSON-RPC errors: middleware codes with their French cashier message, and the
/// standard JSON-RPC codes with French messages of their own.</summary>
internal static class ProtocolErrors
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int RequestCanceled = -32800;

    /// <summary>French cashier messages of the standard JSON-RPC codes the server may send.</summary>
    public static readonly IReadOnlyDictionary<int, string> StandardMessages = new Dictionary<int, string>
    {
        [ParseError] = "Message illisible : contactez le support.",
        [InvalidRequest] = "Demande invalide : contactez le support.",
        [MethodNotFound] = "Fonction inconnue du middleware : vérifiez la version de la caisse.",
        [InvalidParams] = "Paramètres invalides : contactez le support.",
        [InternalError] = "Erreur interne : contactez le support.",
        [RequestCanceled] = "Demande annulée.",
    };

    public static JsonRpcError.ErrorDetail For(ErrorCode code, string detail, object? payload = null) => new()
    {
        Code = (JsonRpcErrorCode)(int)code,
        Message = ErrorMessages.For(code),
        Data = new ErrorData(detail, payload),
    };

    public static JsonRpcError.ErrorDetail Standard(int code, string detail) => new()
    {
        Code = (JsonRpcErrorCode)code,
        Message = StandardMessages.TryGetValue(code, out var m) ? m : StandardMessages[InternalError],
        Data = new ErrorData(detail),
    };

    public static JsonRpcError ErrorMessage(JsonRpcRequest request, JsonRpcError.ErrorDetail detail) =>
        new() { RequestId = request.RequestId, Error = detail };

    /// <summary>Maps an exception thrown by a method. Unexpected exceptions keep their message out of the answer
    /// (it may carry data that must not leave the host); the host log has it.</summary>
    public static JsonRpcError.ErrorDetail FromException(Exception exception)
    {
        while (exception is TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }

        return exception switch
        {
            MiddlewareException mex => For(mex.Code, mex.Message, mex.Payload),
            LocalRpcException lex => Standard((int)lex.ErrorCode, lex.Message),
            OperationCanceledException => Standard(RequestCanceled, "The call was cancelled."),
            _ => For(ErrorCode.InternalError, $"Unexpected {exception.GetType().Name}; see the host log."),
        };
    }

    /// <summary>True when the error was produced by this module's mapping (its data is an <see cref="ErrorData"/>).</summary>
    public static bool IsMapped(JsonRpcError.ErrorDetail detail) => detail.Data is ErrorData;
}
