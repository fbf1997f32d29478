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
}
