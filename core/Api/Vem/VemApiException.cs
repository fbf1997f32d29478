using Middleware.Api.Http;
using Middleware.Domain.Errors;

namespace Middleware.Api.Vem;

/// <summary>Why a VEM call failed.</summary>
public enum VemFailure
{
    /// <summary>No answer, timeout or 5xx after the retries: VEM is down or slow. The cache keeps serving.</summary>
    Unavailable,

    /// <summary>The installation key or OAuth credentials are refused (401/403 after one re-authentication), or missing.</summary>
    AuthenticationFailed,

    /// <summary>VEM answered a 4xx other than 401/403 (see <see cref="VemApiException.Error"/>).</summary>
    Rejected,

    /// <summary>VEM answered 2xx with a body that is not the expected JSON.</summary>
    InvalidResponse,
}

/// <summary>A VEM call failed. Messages never contain tokens or keys.</summary>
public sealed class VemApiException : Exception
{
    public VemApiException(VemFailure failure, string message, int? httpStatus = null, ApiError? error = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        HttpStatus = httpStatus;
        Error = error;
    }

    public VemApiException() : this(VemFailure.Unavailable, "VEM unavailable.") { }

    public VemApiException(string message) : this(VemFailure.Unavailable, message) { }

    public VemApiException(string message, Exception inner) : this(VemFailure.Unavailable, message, null, null, inner) { }

    public VemFailure Failure { get; }

    public int? HttpStatus { get; }

    public ApiError? Error { get; }

    /// <summary>The till-protocol error for this failure.</summary>
    public MiddlewareException ToMiddlewareException() => new(
        Failure == VemFailure.Unavailable ? ErrorCode.UpstreamUnavailable : ErrorCode.UpstreamRejected,
        Message,
        Error,
        this);
}
