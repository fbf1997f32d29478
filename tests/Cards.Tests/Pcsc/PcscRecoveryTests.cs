using Microsoft.Extensions.Configuration;
using Middleware.Cards.Pcsc;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Xunit;

namespace Middleware.Cards.Tests.Pcsc;

public sealed class PcscRecoveryTests
{
    [Fact]
    public async Task A_restarted_daemon_is_picked_up_by_the_next_call_without_an_error()
    {
        var api = new FakePcscApi();
        using var system = new PcscSmartCardSystem(api, new PcscOptions());
        Assert.Equal(["Reader A"], await system.ListReadersAsync(CancellationToken.None));

        api.Kill();
        api.Running = true; // restarted before the next call: the pooled context is stale

        Assert.Equal(["Reader A"], await system.ListReadersAsync(CancellationToken.None));
        Assert.Equal(2, api.Established);
    }

    [Fact]
    public async Task A_stopped_daemon_gives_no_service_then_the_service_comes_back()
    {
        var api = new FakePcscApi();
        using var system = new PcscSmartCardSystem(api, new PcscOptions());
        await system.ListReadersAsync(CancellationToken.None);

        api.Kill();
        var down = await Assert.ThrowsAsync<SmartCardException>(() => system.GetStatusAsync(CancellationToken.None));
        Assert.Equal(SmartCardError.NoService, down.Error);
        Assert.True(down.IsServiceLost);

        api.Running = true;
        var status = await system.GetStatusAsync(CancellationToken.None);
        Assert.Equal(SmartCardReaderState.Empty, Assert.Single(status).State);
    }

    [Fact]
    public async Task A_connection_from_before_a_restart_reports_a_service_loss_and_frees_its_context()
    {
        var api = new FakePcscApi();
        using var system = new PcscSmartCardSystem(api, new PcscOptions());
        var connection = await system.ConnectAsync("Reader A", SmartCardShareMode.Shared, CancellationToken.None);
        Assert.Equal("9000", Convert.ToHexString(await connection.TransmitAsync(new byte[] { 0xFF, 0xCA, 0, 0, 0 }, CancellationToken.None)));

        api.Kill();
        api.Running = true;
        var lost = await Assert.ThrowsAsync<SmartCardException>(() => connection.TransmitAsync(new byte[] { 0xFF, 0xCA, 0, 0, 0 }, CancellationToken.None));
        Assert.True(lost.IsServiceLost);
        await connection.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.TransmitAsync(new byte[] { 0xFF, 0xCA, 0, 0, 0 }, CancellationToken.None));

        await using var again = await system.ConnectAsync("Reader A", SmartCardShareMode.Shared, CancellationToken.None);
        Assert.Equal("9000", Convert.ToHexString(await again.TransmitAsync(new byte[] { 0xFF, 0xCA, 0, 0, 0 }, CancellationToken.None)));
    }

    [Fact]
    public async Task No_readers_is_an_empty_list_not_an_error()
    {
        var api = new FakePcscApi();
        api.Readers.Clear();
        using var system = new PcscSmartCardSystem(api, new PcscOptions());

        Assert.Empty(await system.ListReadersAsync(CancellationToken.None));
        Assert.Empty(await system.GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Contexts_are_reused_and_released_on_dispose()
    {
        var api = new FakePcscApi();
        var system = new PcscSmartCardSystem(api, new PcscOptions { MaxIdleContexts = 2 });
        for (var i = 0; i < 5; i++)
        {
            await system.ListReadersAsync(CancellationToken.None);
        }

        Assert.Equal(1, api.Established);
        system.Dispose();
        Assert.Equal(1, api.Released);
    }

    [Fact]
    public void Options_are_read_from_the_pcsc_section()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pcsc:Scope"] = "user", ["Pcsc:MaxIdleContexts"] = "7" })
            .Build();

        var options = PcscServiceCollectionExtensions.ReadOptions(configuration.GetSection("Pcsc"));

        Assert.Equal(PcscScope.User, options.Scope);
        Assert.Equal(7, options.MaxIdleContexts);
        Assert.Equal(4096, options.ReceiveBufferSize);
    }
}
