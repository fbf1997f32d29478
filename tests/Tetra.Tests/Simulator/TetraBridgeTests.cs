using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra;
using Middleware.Serial;
using Middleware.Tetra.Tests.Support;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Tetra.Tests.Simulator;

/// <summary>The plugin through a PCL bridge: the port setting <c>tcp://host:port</c>, the host's TCP transport.</summary>
public sealed class TetraBridgeTests
{
    [Fact]
    public async Task Through_a_pcl_bridge_a_card_is_read_and_a_payment_taken_and_a_dropped_connection_comes_back()
    {
        await using var bridge = TetraBridgeSimulator.Start(TimeSpan.FromSeconds(1));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["SerialLinks:ReconnectDelay"] = "00:00:00.100" }).Build();
        await using var services = new ServiceCollection().AddSerialLinks(configuration).BuildServiceProvider();
        var settings = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["port"] = bridge.Address, ["terminalName"] = "Tetra PCL", ["tillNumber"] = 7, ["stepTimeoutMs"] = 1000 });
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(new TestPluginContext(settings, services.GetRequiredService<ISerialLinkProvider>()), CancellationToken.None).WaitAsync(TetraBench.Deadline);
        try
        {
            var card = await terminal.ReadCardAsync("Tetra PCL", TimeSpan.FromSeconds(4), CancellationToken.None).WaitAsync(TetraBench.Deadline);
            Assert.Equal(("36000001", "Tetra PCL"), (card.IdSupport, card.ReaderName));
            bridge.SetBehaviour(new TetraBehaviour { Payment = TetraPaymentBehaviour.Refused });
            var payment = await terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra PCL", 7.5m, "R1", TimeSpan.FromSeconds(5)), CancellationToken.None).WaitAsync(TetraBench.Deadline);
            Assert.Equal(TerminalPaymentOutcome.Refused, payment.Outcome);
            Assert.Equal(["ZDC?07004", "0700000750" + "1" + "1" + "0" + "978" + "R1        " + "A010B010"], bridge.Requests);

            await bridge.DropConnectionsAsync();

            bridge.SetBehaviour(new TetraBehaviour());
            Assert.Equal("36000001", (await terminal.ReadCardAsync("Tetra PCL", TimeSpan.FromSeconds(4), CancellationToken.None).WaitAsync(TetraBench.Deadline)).IdSupport);
        }
        finally
        {
            await plugin.StopAsync(CancellationToken.None).WaitAsync(TetraBench.Deadline);
        }
    }

    [Fact]
    public async Task Connections_the_host_closed_free_their_place_and_a_fifth_at_once_is_refused()
    {
        await using var bridge = TetraBridgeSimulator.Start(TimeSpan.FromSeconds(1));
        var port = int.Parse(bridge.Address[(bridge.Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        // Ten hosts in turn, each closing its connection: none is refused.
        for (var i = 0; i < 10; i++)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0x05 });
            var ack = new byte[1];
            Assert.Equal(1, await stream.ReadAsync(ack).AsTask().WaitAsync(TetraBench.Deadline));
            Assert.Equal(0x06, ack[0]);
            await stream.WriteAsync(new byte[] { 0x04 });
        }

        await TetraBench.WaitUntilAsync(() => bridge.ConnectionCount == 0, "the closed connections are freed");

        // Four held open, the fifth is closed at once.
        var held = new List<System.Net.Sockets.TcpClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var c = new System.Net.Sockets.TcpClient();
                held.Add(c);
                await c.ConnectAsync(System.Net.IPAddress.Loopback, port);
                await c.GetStream().WriteAsync(new byte[] { 0x05 });
                var ack = new byte[1];
                Assert.Equal(1, await c.GetStream().ReadAsync(ack).AsTask().WaitAsync(TetraBench.Deadline));
            }

            using var fifth = new System.Net.Sockets.TcpClient();
            await fifth.ConnectAsync(System.Net.IPAddress.Loopback, port);
            Assert.Equal(0, await fifth.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TetraBench.Deadline));
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }
}
