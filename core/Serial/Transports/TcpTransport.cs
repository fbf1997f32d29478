using System.Net.Sockets;

namespace Middleware.Serial.Transports;

/// <summary>A serial line behind a serial-over-TCP bridge (PCL/raw socket): the same byte stream over a TCP
/// connection; the line settings are the bridge's own, so they are checked but not applied here.</summary>
internal sealed class TcpTransport(string host, int port, TimeSpan openTimeout, TimeProvider time) : ILinkTransport
{
    public string Name { get; } = $"tcp://{host}:{port}";

    public async Task<LinkConnection> OpenAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(openTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new IOException($"Connecting to {Name} took longer than {openTimeout}.");
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new IOException($"Cannot connect to {Name}: {e.SocketErrorCode}.", e);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new LinkConnection(client.GetStream(), client.Dispose);
    }
}
