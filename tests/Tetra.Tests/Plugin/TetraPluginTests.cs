using System.Text.Json;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra;
using Middleware.Tetra.Tests.Support;

namespace Middleware.Tetra.Tests.Plugin;

/// <summary>The plugin's settings, its arguments and its start, on an in-memory link.</summary>
public sealed class TetraPluginTests
{
    [Theory]
    [InlineData("tillNumber", -1)]
    [InlineData("tillNumber", 100)]
    [InlineData("stepTimeoutMs", 49)]
    [InlineData("stepTimeoutMs", 60_001)]
    [InlineData("retries", -1)]
    [InlineData("retries", 11)]
    public async Task A_setting_out_of_range_fails_the_start_naming_it(string setting, int value)
    {
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(new InMemoryLine()), new() { [setting] = value });

        var e = await Assert.ThrowsAsync<ArgumentException>(() => plugin.StartAsync(context, CancellationToken.None));

        Assert.Contains($"Setting {setting} must be", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_plugin_is_terminal_tetra_and_opens_its_port_with_the_line_settings()
    {
        var links = new InMemoryLinkProvider(new InMemoryLine());
        var plugin = new TetraPlugin();

        await plugin.StartAsync(Context(links, new() { ["dataBits"] = 7, ["parity"] = (int)SerialParity.Even }), CancellationToken.None);

        Assert.Equal("terminal.tetra", plugin.Metadata.Id);
        var terminal = Assert.Single(plugin.GetTerminals());
        Assert.Equal(new ReaderDescriptor("Tetra 1", "terminal.tetra", [CardTechnology.Tetra], ReaderState.Empty), terminal with { Technologies = [.. terminal.Technologies] }, new DescriptorComparer());
        var (path, settings) = Assert.Single(links.Opened);
        Assert.Equal("/dev/ttyTETRA", path);
        Assert.Equal(new SerialLinkSettings { DataBits = 7, Parity = SerialParity.Even }, settings);
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_terminal_missing_at_start_leaves_the_plugin_started_and_the_terminal_unavailable()
    {
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(null));

        await plugin.StartAsync(context, CancellationToken.None);

        Assert.Equal(ReaderState.Unavailable, Assert.Single(plugin.GetTerminals()).State);
        Assert.Contains(context.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("not reachable at start", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<TerminalException>(() => ((ITerminalPlugin)plugin).ReadCardAsync("Tetra 1", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Contains("Cannot open /dev/ttyTETRA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_for_another_terminal_or_out_of_bounds_are_refused_before_the_link()
    {
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line)), CancellationToken.None);

        await Assert.ThrowsAsync<TerminalException>(() => terminal.ReadCardAsync("Tetra 2", TimeSpan.FromSeconds(1), CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.ReadCardAsync("Tetra 1", TimeSpan.Zero, CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 0m, "r", TimeSpan.FromSeconds(1)), CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1_000_000m, "r", TimeSpan.FromSeconds(1)), CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1m, "r", TimeSpan.FromMinutes(11)), CancellationToken.None));

        // Nothing went out on the line.
        Assert.Null(await line.Terminal.ReadByteAsync(TimeSpan.FromMilliseconds(200)));
        await plugin.StopAsync(CancellationToken.None);
    }

    private static TestPluginContext Context(InMemoryLinkProvider links, Dictionary<string, object>? extra = null)
    {
        var settings = new Dictionary<string, object> { ["port"] = "/dev/ttyTETRA", ["terminalName"] = "Tetra 1" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new TestPluginContext(JsonSerializer.SerializeToElement(settings), links);
    }

    private sealed class DescriptorComparer : IEqualityComparer<ReaderDescriptor>
    {
        public bool Equals(ReaderDescriptor? x, ReaderDescriptor? y) =>
            x is not null && y is not null && x.Name == y.Name && x.PluginId == y.PluginId && x.State == y.State && x.Technologies.SequenceEqual(y.Technologies);

        public int GetHashCode(ReaderDescriptor obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
