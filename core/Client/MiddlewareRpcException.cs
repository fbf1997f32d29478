using System.Text.Json;

namespace Middleware.Client;

/// <summary>The middleware answered a call with an error.</summary>
public sealed class MiddlewareRpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MiddlewareRpcException(int code, string cashierMessage, string? detail, JsonElement? payload, Exception? inner = null)
        : base($"{cashierMessage} (code {code}{(detail is null ? "" : ": " + detail)})", inner)
    {
        Code = code;
        CashierMessage = cashierMessage;
        Detail = detail;
        Payload = payload;
    }

    /// <summary>Creates the exception with code 1099 (internal error).</summary>
    public MiddlewareRpcException() : this(1099, "Erreur interne : contactez le support.", null, null) { }

    /// <summary>Creates the exception with code 1099 (internal error).</summary>
    public MiddlewareRpcException(string message) : this(1099, message, null, null) { }

    /// <summary>Creates the exception with code 1099 (internal error).</summary>
    public MiddlewareRpcException(string message, Exception inner) : this(1099, message, null, null, inner) { }

    /// <summary>The stable error code (see PROTOCOL.md): 1000-1799 for middleware errors, negative for JSON-RPC ones.</summary>
    public int Code { get; }

    /// <summary>The French message a cashier can read aloud.</summary>
    public string CashierMessage { get; }

    /// <summary>English details for support, if any.</summary>
    public string? Detail { get; }

    /// <summary>Structured details (e.g. a balance), if any.</summary>
    public JsonElement? Payload { get; }
}

/// <summary>The pipe could not be reached or the connection was lost.</summary>
public sealed class MiddlewareConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MiddlewareConnectionException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public MiddlewareConnectionException() : this("The middleware connection failed.") { }

    /// <summary>Creates the exception.</summary>
    public MiddlewareConnectionException(string message) : this(message, null) { }
}
