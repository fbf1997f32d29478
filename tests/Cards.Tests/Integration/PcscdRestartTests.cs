using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.VirtualCards.Desfire;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

[Collection(PcscCollection.Name)]
public sealed class PcscdRestartTests(PcscFixture fixture)
{
    private static readonly byte[] Uid = Convert.FromHexString("04112233445566");

    [Fact]
    public async Task The_same_service_recovers_after_pcscd_is_killed_and_restarted()
    {
        var system = fixture.System;
        Assert.Contains(PcscFixture.FirstReader, await system.ListReadersAsync(CancellationToken.None));
        var known = await system.GetStatusAsync(CancellationToken.None);
        var pendingWait = system.WaitForChangeAsync(known, Timeout.InfiniteTimeSpan, CancellationToken.None);

        await PcscFixture.RunStartScriptAsync(restart: true); // kill -9 pcscd, clean its leftovers, start it again

        // The wait in progress when the daemon died ends (with the new status or a service-lost error); it never hangs.
        var finished = await Task.WhenAny(pendingWait, Task.Delay(TimeSpan.FromSeconds(15)));
        Assert.Same(pendingWait, finished);
        if (pendingWait.IsFaulted)
        {
            var lost = Assert.IsType<SmartCardException>(pendingWait.Exception!.InnerException);
            Assert.True(lost.IsServiceLost, $"expected a service-lost error, got {lost.Error}: {lost.Message}");
        }

        // Same instance, not recreated: it lists the readers of the new daemon and talks to a card on it.
        await fixture.WaitForReaderAsync(PcscFixture.FirstReader, TimeSpan.FromSeconds(15));
        await using var slot = await VpcdCardSlot.InsertAsync(new VirtualDesfireCard(Uid), connectTimeout: TimeSpan.FromSeconds(10));
        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => s.HasCard, TimeSpan.FromSeconds(10));
        await using var connection = await system.ConnectAsync(PcscFixture.FirstReader, SmartCardShareMode.Shared, CancellationToken.None);
        var uid = await connection.TransmitAsync(new byte[] { 0xFF, 0xCA, 0x00, 0x00, 0x00 }, CancellationToken.None);
        Assert.Equal("041122334455669000", Convert.ToHexString(uid));
    }

    [Fact]
    public async Task A_connection_opened_before_a_restart_reports_the_service_loss()
    {
        var system = fixture.System;
        await fixture.WaitForReaderAsync(PcscFixture.FirstReader, TimeSpan.FromSeconds(15));
        var slot = await VpcdCardSlot.InsertAsync(new VirtualDesfireCard(Uid), connectTimeout: TimeSpan.FromSeconds(10));
        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => s.HasCard, TimeSpan.FromSeconds(10));
        var connection = await system.ConnectAsync(PcscFixture.FirstReader, SmartCardShareMode.Shared, CancellationToken.None);

        await PcscFixture.RunStartScriptAsync(restart: true);
        await slot.Removed.WaitAsync(TimeSpan.FromSeconds(10)); // the old vpcd closed the card's connection

        var error = await Assert.ThrowsAsync<SmartCardException>(
            () => connection.TransmitAsync(new byte[] { 0xFF, 0xCA, 0x00, 0x00, 0x00 }, CancellationToken.None));
        Assert.True(error.IsServiceLost, $"got {error.Error}: {error.Message}");
        await connection.DisposeAsync();
        await slot.DisposeAsync();

        // And the service carries on with the new daemon.
        await fixture.WaitForReaderAsync(PcscFixture.FirstReader, TimeSpan.FromSeconds(15));
    }
}
