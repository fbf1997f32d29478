using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Middleware.Api.Tests.Support;

/// <summary>One request as it came on the wire: the request line, the headers in order, the body bytes.</summary>
internal sealed record RawRequest(string RequestLine, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A bare HTTP/1.1 server on a loopback socket: it records each request exactly as sent and writes whatever answer the
/// test gives (a hostile one included: a huge body, a lying Content-Length). Keep-alive, so connection reuse is visible.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Func<RawRequest, NetworkStream, CancellationToken, Task> answer;
    private readonly Task acceptLoop;
    private int connections;

    public RawHttpServer(Func<RawRequest, NetworkStream, CancellationToken, Task> answer)
    {
        this.answer = answer;
        listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        acceptLoop = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    public ConcurrentQueue<RawRequest> Requests { get; } = new();

    /// <summary>TCP connections accepted so far: a pooled client opens one for sequential calls.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>An answer with a JSON body and the given extra headers.</summary>
    public static Func<RawRequest, NetworkStream, CancellationToken, Task> Json(int status, string json, params (string Name, string Value)[] headers) =>
        (_, stream, ct) => WriteAsync(stream, status, Encoding.UTF8.GetBytes(json), headers, ct);

    public static async Task WriteAsync(NetworkStream stream, int status, byte[] body, (string Name, string Value)[] headers, CancellationToken ct)
    {
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(status).Append(" X\r\nContent-Type: application/json\r\nContent-Length: ").Append(body.Length).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        await stream.WriteAsync(body, ct);
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var request = await ReadRequestAsync(stream, stop.Token);
                    if (request is null)
                    {
                        return;
                    }

                    Requests.Enqueue(request);
                    await answer(request, stream, stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away (or the test ended): nothing to serve.
            }
        }
    }

    private static async Task<RawRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':', StringComparison.Ordinal)], l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
        var length = int.Parse(headers.FirstOrDefault(h => string.Equals(h.Item1, "Content-Length", StringComparison.OrdinalIgnoreCase)).Item2 ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, ct);
        return new RawRequest(lines[0], headers, body);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
        stop.Dispose();
    }
}
