using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Middleware.Contracts.Readers;
using Middleware.Serial.Tests.Support;
using Xunit;

namespace Middleware.Serial.Tests.Transports;

/// <summary>tcp://host:port links against a real TcpListener playing the serial-over-TCP bridge.</summary>
public sealed class TcpTransportTests
{
    [Fact]
    public async Task Bytes_are_echoed_through_the_bridge()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = EchoOnceAsync(listener, TestLinks.Token());

        await using var link = await TestLinks.Provider().OpenAsync(Address(listener), new SerialLinkSettings(), TestLinks.Token());
        var data = TestLinks.Binary(4096);
        await link.WriteAsync(data, TestLinks.Token());
        Assert.Equal(data, await TestLinks.ReadExactlyAsync(link, data.Length));

        await link.DisposeAsync();
        Assert.Equal(data.Length, await server.WaitAsync(TestLinks.Deadline)); // the bridge saw the connection close
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_read_in_flight_and_the_same_stream_reconnects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var link = await TestLinks.Provider().OpenAsync(Address(listener), new SerialLinkSettings(), TestLinks.Token());
        var first = await listener.AcceptTcpClientAsync(TestLinks.Token());

        var inFlight = link.ReadAsync(new byte[16], TestLinks.Token()).AsTask();
        first.Dispose(); // the bridge drops the connection
        await Assert.ThrowsAsync<IOException>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(5)));

        var server = EchoOnceAsync(listener, TestLinks.Token());
        var elapsed = Stopwatch.StartNew();
        await link.WriteAsync(new byte[] { 0x00, 0x10, 0xFF }, TestLinks.Token());
        Assert.Equal([0x00, 0x10, 0xFF], await TestLinks.ReadExactlyAsync(link, 3));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"back after {elapsed.Elapsed}");
        await link.DisposeAsync();
        Assert.Equal(3, await server.WaitAsync(TestLinks.Deadline));
    }

    [Fact]
    public async Task A_write_the_bridge_does_not_take_in_time_fails_and_the_link_reconnects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = TestLinks.Options();
        options.WriteTimeout = TimeSpan.FromMilliseconds(500);
        await using var link = await TestLinks.Provider(options).OpenAsync(Address(listener), new SerialLinkSettings(), TestLinks.Token());
        using var stalled = await listener.AcceptTcpClientAsync(TestLinks.Token()); // accepts, never reads

        // Fill the socket buffers until a write stalls; the write timeout must end it, well before 64 MiB.
        var chunk = new byte[1024 * 1024];
        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 64; i++)
            {
                await link.WriteAsync(chunk, TestLinks.Token());
            }
        });
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");

        var server = EchoOnceAsync(listener, TestLinks.Token());
        await link.WriteAsync(new byte[] { 0x55 }, TestLinks.Token());
        Assert.Equal([0x55], await TestLinks.ReadExactlyAsync(link, 1));
    }

    [Fact]
    public async Task A_refused_connection_fails_with_IOException()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var address = Address(listener);
        listener.Stop();
        listener.Dispose();
        await Assert.ThrowsAnyAsync<IOException>(() => TestLinks.Provider().OpenAsync(address, new SerialLinkSettings(), TestLinks.Token()));
    }

    private static string Address(TcpListener listener) => $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>Accepts one connection and echoes it until the other side closes; returns the bytes echoed.</summary>
    private static async Task<int> EchoOnceAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        using var client = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        var buffer = new byte[1024];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        return total;
    }
}
