namespace Middleware.Client;

/// <summary>How to reach the middleware and who the till is.</summary>
public sealed class MiddlewareClientOptions
{
    /// <summary>The pipe name (<c>izly-middleware</c> by default). On Linux it is the Unix socket
    /// <c>{folder}/{PipeName}.sock</c>, the folder being <see cref="SocketDirectory"/> or the first of
    /// <c>$XDG_RUNTIME_DIR/izly-middleware</c>, <c>$RUNTIME_DIRECTORY</c>, <c>/run/izly-middleware</c> that holds the
    /// socket; an absolute path is used as the socket path itself.</summary>
    public string PipeName { get; set; } = "izly-middleware";

    /// <summary>Linux: the folder of the host's socket (the host's <c>Pipe:SocketDirectory</c>), when it is not one
    /// of the default folders. Null (default): the default folders.</summary>
    public string? SocketDirectory { get; set; }

    /// <summary>Linux: the account (name or uid) the middleware must run as; the connection is refused otherwise.
    /// Null (default): the till's own account, root, or the owner of the socket's folder when no other account could
    /// have made that folder.</summary>
    public string? ExpectedServerUser { get; set; }

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

    /// <summary>How long <c>sale.pay</c> and <c>payment.cancel</c> may take: a CB payment through the point of sale's
    /// terminal waits for the customer's card and PIN (the middleware's <c>Payments:TerminalPaymentTimeout</c>, 120 s, plus
    /// the terminal's protocol margin). Default 150 seconds.</summary>
    public TimeSpan PaymentCallTimeout { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>How many times a mutating call is attempted in total when the connection is lost or a call times
    /// out. Default 3.</summary>
    public int MutatingAttempts { get; set; } = 3;
}
