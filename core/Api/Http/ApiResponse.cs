using System.Text;

namespace Middleware.Api.Http;

/// <summary>How an HTTP exchange ended when no status code came back.</summary>
internal enum TransportFailure
{
    None,
    TimedOut,
    Network,
}

/// <summary>One HTTP exchange's outcome: a status code and the body's UTF-8 bytes, or a transport failure.</summary>
internal sealed record ApiResponse(int StatusCode, ReadOnlyMemory<byte> Body, string? AuthorizationHeader, TransportFailure Failure, string? FailureDetail)
{
    /// <summary>An answer with a text body (tests, and the adapters' unit checks).</summary>
    public ApiResponse(int statusCode, string content, string? authorizationHeader, TransportFailure failure, string? failureDetail)
        : this(statusCode, (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(content), authorizationHeader, failure, failureDetail)
    {
    }

    public bool IsTransportFailure => Failure != TransportFailure.None;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>Worth retrying when the call is safe to repeat: no answer, 408, 429 or 5xx.</summary>
    public bool IsTransient => IsTransportFailure || StatusCode is 408 or 429 || StatusCode >= 500;

    /// <summary>True when the body is empty or only white space (JSON's four).</summary>
    public bool IsBlank
    {
        get
        {
            foreach (var b in Body.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return false;
                }
            }

            return true;
        }
    }

    public static ApiResponse TimedOut(TimeSpan after) => new(0, ReadOnlyMemory<byte>.Empty, null, TransportFailure.TimedOut, $"no answer within {after.TotalMilliseconds:0} ms");

    public static ApiResponse NetworkError(string? detail) => new(0, ReadOnlyMemory<byte>.Empty, null, TransportFailure.Network, detail ?? "network error");

    /// <summary>For messages and logs: never the body (it may hold personal data).</summary>
    public string Describe() => Failure switch
    {
        TransportFailure.TimedOut => "timed out (" + FailureDetail + ")",
        TransportFailure.Network => "network error (" + FailureDetail + ")",
        _ => "HTTP " + StatusCode,
    };
}
