namespace Middleware.Client;

/// <summary>How to reach the middleware and who the till is.</summary>
public sealed class MiddlewareClientOptions
{
    /// <summary>The pipe name (<c>izly-middleware</c> by default). On Linux it is the Unix socket
    /// <c>/tmp/CoreFxPipe_{PipeName}</c>; an absolute path is used as the socket path itself.</summary>
    public string PipeName { get; set; } = "izly-middleware";

    /// <summary>The till's point of sale, <c>idCrous-idUg-idRu-idUd-idCaisse</c>. When set,
    /// <see cref="MiddlewareClient.ConnectAsync(MiddlewareClientOptions, CancellationToken)"/> says hello with it
    /// (and so does every reconnection).</summary>
    public string? PointOfSale { get; set; }

    /// <summary>The till's name and version, for the middleware's logs.</summary>
    public string TillName { get; set; } = "Middleware.Client";

    /// <summary>How long to wait for the pipe when connecting. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one call may take before it is abandoned (and, for a mutating call, retried with the same
    /// request id). Default 30 seconds.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a mutating call is attempted in total when the connection is lost or a call times
    /// out. Default 3.</summary>
    public int MutatingAttempts { get; set; } = 3;
}
