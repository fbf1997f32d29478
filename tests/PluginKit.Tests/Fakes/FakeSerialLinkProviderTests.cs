using Middleware.Contracts.Readers;
using Middleware.Plugins.Testing.Fakes;

namespace Middleware.PluginKit.Tests.Fakes;

public sealed class FakeSerialLinkProviderTests
{
    [Fact]
    public async Task Bytes_cross_the_line_both_ways()
    {
        var link = new FakeSerialLinkProvider();
        link.AddPort("/dev/ttyACM0");
        await using var plugin = await link.OpenAsync("/dev/ttyACM0", new SerialLinkSettings { BaudRate = 115200 }, CancellationToken.None);
        await using var terminal = link.TerminalEnd("/dev/ttyACM0");

        await plugin.WriteAsync("\x02PING\x03"u8.ToArray());
        await plugin.FlushAsync();
        var atTerminal = new byte[6];
        await terminal.ReadExactlyAsync(atTerminal).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await terminal.WriteAsync("\x06"u8.ToArray());
        await terminal.FlushAsync();
        var atPlugin = new byte[1];
        await plugin.ReadExactlyAsync(atPlugin).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("\x02PING\x03"u8.ToArray(), atTerminal);
        Assert.Equal((byte)0x06, atPlugin[0]);
        Assert.Equal(115200, link.OpenedWith["/dev/ttyACM0"].BaudRate);
        Assert.Equal(["/dev/ttyACM0"], link.ListPorts());
    }

    [Fact]
    public async Task A_read_with_nothing_on_the_line_honours_its_token()
    {
        var link = new FakeSerialLinkProvider();
        link.AddPort("/dev/ttyACM0");
        await using var plugin = await link.OpenAsync("/dev/ttyACM0", new SerialLinkSettings(), CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => plugin.ReadAsync(new byte[1], cts.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_unknown_port_is_an_IOException()
    {
        var link = new FakeSerialLinkProvider();

        await Assert.ThrowsAsync<IOException>(() => link.OpenAsync("/dev/ttyUSB9", new SerialLinkSettings(), CancellationToken.None));
    }
}
