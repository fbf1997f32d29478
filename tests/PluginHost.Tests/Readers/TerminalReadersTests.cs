using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.PluginHost.Readers;
using Xunit;
using Xunit.Abstractions;

namespace Middleware.PluginHost.Tests.Readers;

/// <summary>The host's readers for terminals (ITerminalPlugin), through the real catalog: listed, read on demand (the
/// read published as a tap), and asked for a card payment.</summary>
public sealed class TerminalReadersTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_terminal_is_listed_read_on_demand_and_asked_for_a_payment()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(PluginTestBed.Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);
        var taps = new RecordingSink();
        using var subscription = bed.Hub!.Subscribe(taps);
        var readers = new CardReaders(catalog, watcher: null, bed.Hub, TimeProvider.System, new CardReaderOptions());

        var listed = Assert.Single(await readers.GetReadersAsync(CancellationToken.None));
        Assert.Equal(("echo-v1", "test.echo", ReaderState.Empty), (listed.Name, listed.PluginId, listed.State));

        var card = await readers.ReadCardAsync("echo-v1", TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal("v1:echo-v1", card.IdSupport);
        Assert.Equal("echo-v1", card.ReaderName);
        Assert.Contains("tapped:v1:echo-v1", taps.Snapshot()); // a read on demand is a tap

        var paid = await readers.TakePaymentAsync(new TerminalPaymentRequest("echo-v1", 3.30m, "sale-1", TimeSpan.FromSeconds(5)), CancellationToken.None);
        Assert.Equal((TerminalPaymentOutcome.NotCompleted, 3.30m, "test plugin"), (paid.Outcome, paid.Amount, paid.Report));

        var unknown = await Assert.ThrowsAsync<MiddlewareException>(() => readers.ReadCardAsync("nowhere", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(ErrorCode.UnknownReader, unknown.Code);
        var tooLong = await Assert.ThrowsAsync<MiddlewareException>(() => readers.ReadCardAsync("echo-v1", TimeSpan.FromMinutes(6), CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidRequest, tooLong.Code);
    }
}
