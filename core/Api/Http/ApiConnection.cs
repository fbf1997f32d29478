using System.Net;

namespace Middleware.Api.Http;

/// <summary>
/// The one long-lived connection pool of an API base address: a <see cref="SocketsHttpHandler"/> made once, shared by
/// every transport of a client that talks to that address (a client's calls sent once and its calls retried go over
/// the same pooled connections), disposed with the client.
/// </summary>
internal sealed class ApiConnection : IDisposable
{
    /// <summary>Pooled connections are replaced after this long, so a DNS change (a fail-over) is seen within it.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private readonly bool ownsHandler;

    /// <summary>Over a test's <paramref name="handler"/> (not disposed here), or the production pool when null.</summary>
    public ApiConnection(HttpMessageHandler? handler)
    {
        ownsHandler = handler is null;
        Handler = handler ?? CreateHandler();

        // HttpMessageInvoker, not HttpClient: no per-request timeout source or header merge; time is ApiTransport's.
        Invoker = new HttpMessageInvoker(Handler, disposeHandler: false);
    }

    public HttpMessageHandler Handler { get; }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>As RestSharp set up its handler: no redirects followed, gzip/deflate/brotli accepted, the system proxy,
    /// no cookies kept (the APIs use none), the platform's TLS defaults and certificate checks.</summary>
    internal static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        UseCookies = false,
        PooledConnectionLifetime = PooledConnectionLifetime,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    };

    public void Dispose()
    {
        Invoker.Dispose();
        if (ownsHandler)
        {
            Handler.Dispose();
        }
    }
}
