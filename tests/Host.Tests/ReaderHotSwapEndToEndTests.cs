using System.Threading.Channels;
using Middleware.Client;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;
using Xunit.Abstractions;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue 14, "each plugin hot-swaps on its own", through the real parts: two points of sale on one host, each with
/// its vpcd reader and its till on the real pipe. One reader plugin is replaced again and again (plugins.reload, the
/// operator's call) while the other reader's cards are being read by another plugin: every read succeeds, each till
/// hears only its own reader, and the replaced plugin then reads its cards again.
/// </summary>
public sealed class ReaderHotSwapEndToEndTests(ITestOutputHelper output)
{
    private const int Taps = 8;

    [Fact]
    public async Task Replacing_one_reader_plugin_while_the_other_reader_reads_fails_no_read()
    {
        await using var harness = await CardHostHarness.StartAsync("mwhs-", secondPointOfSale: true);
        var secondEvents = Channel.CreateUnbounded<object>();
        await using var secondTill = await harness.ConnectTillAsync(CardHostHarness.SecondPointOfSale, secondEvents);

        // The second reader's Classic cards are read while reader.desfire is replaced...
        var desfireReloads = await WhileReloadingAsync(harness.Till, "reader.desfire", async i =>
        {
            var zdc = ZdcOf(i);
            var card = IzlyVirtualCards.FromZdc(zdc, Convert.FromHexString(zdc.NumeroApplicatif), Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex), ClassicCardSize.Classic1K);
            await TapAsync(card, VpcdCardSlot.SecondReaderPort, CardHostHarness.SecondReader, "Classic1K", zdc, () => CardHostHarness.NextAsync<CardTappedEvent>(secondEvents),
                () => CardHostHarness.NextAsync<CardRemovedEvent>(secondEvents));
        });

        // ...then the first reader's DESFire cards are read while reader.classic is replaced.
        await harness.WaitForEmptyReaderAsync();
        var classicReloads = await WhileReloadingAsync(harness.Till, "reader.classic", async i =>
        {
            var card = CardHostHarness.CardOfHolder(1 + (i % 9));
            await TapAsync(card.Card, VpcdCardSlot.FirstReaderPort, CardHostHarness.Reader, "Desfire", card.Zdc, harness.NextAsync<CardTappedEvent>,
                harness.NextAsync<CardRemovedEvent>);
        });

        output.WriteLine($"{Taps} Classic taps on the second reader during {desfireReloads} reloads of reader.desfire; {Taps} DESFire taps during {classicReloads} reloads of reader.classic");
        Assert.True(desfireReloads >= 2, $"reader.desfire was replaced {desfireReloads} times during the taps");
        Assert.True(classicReloads >= 2, $"reader.classic was replaced {classicReloads} times during the taps");
        var statuses = await harness.Till.GetPluginStatusAsync();
        // A replaced version may still be listed as Superseded while its context unloads; each reader has an Active one.
        foreach (var id in new[] { "reader.desfire", "reader.classic", "reader.ultralightc", "reader.calypso" })
        {
            Assert.Contains(statuses, p => p.Id == id && p.State == "Active");
        }


        // Each replaced plugin reads again, and each till heard only its own reader (the channels hold nothing else).
        await TapAsync(CardHostHarness.CardOfHolder(4).Card, VpcdCardSlot.FirstReaderPort, CardHostHarness.Reader, "Desfire", CardHostHarness.CardOfHolder(4).Zdc,
            harness.NextAsync<CardTappedEvent>, harness.NextAsync<CardRemovedEvent>);
        Assert.False(secondEvents.Reader.TryRead(out var stray), $"the second till heard {stray}");
    }

    /// <summary>Runs <see cref="Taps"/> taps while <paramref name="pluginId"/> is reloaded in a loop; the number of reloads.</summary>
    private static async Task<int> WhileReloadingAsync(MiddlewareClient operatorTill, string pluginId, Func<int, Task> tap)
    {
        using var stop = new CancellationTokenSource();
        var reloads = 0;
        var reloading = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // The host's own account is an operator (PROTOCOL.md, operator methods).
                await operatorTill.CallAsync("plugins.reload", new { pluginId }, CancellationToken.None);
                reloads++;
            }
        });

        try
        {
            for (var i = 0; i < Taps; i++)
            {
                await tap(i);
                Assert.False(reloading.IsFaulted, $"plugins.reload {pluginId} failed: {reloading.Exception?.GetBaseException().Message}");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reloading;
        }

        return reloads;
    }

    private static async Task TapAsync(IVirtualCard card, int port, string reader, string technology, ZdcDescription zdc,
        Func<Task<CardTappedEvent>> nextTap, Func<Task<CardRemovedEvent>> nextRemoval)
    {
        await using var slot = await VpcdCardSlot.InsertAsync(card, port, connectTimeout: TimeSpan.FromSeconds(30));
        var tapped = await nextTap();
        Assert.Equal(reader, tapped.Reader);
        Assert.Equal(technology, tapped.Technology);
        Assert.Equal(zdc.IdSupport, tapped.IdSupport);
        Assert.Equal(zdc.NumeroApplicatif, tapped.NumeroApplicatif);
        Assert.True(tapped.Authenticated);
        await slot.RemoveAsync();
        Assert.Equal(reader, (await nextRemoval()).Reader);
    }

    private static ZdcDescription ZdcOf(int i) => new()
    {
        IdSupport = $"3700000{i}",
        NumeroApplicatif = $"04C1A5510000{i:X2}",
        Crous = 5,
        CreationDate = new DateOnly(2025, 9, 1 + i),
    };
}
