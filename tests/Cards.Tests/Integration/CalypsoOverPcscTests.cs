using System.Text.Json;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Readers;
using Middleware.Plugins.Calypso;
using Middleware.VirtualCards.Calypso;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// The Calypso reader plugin behind the host's PC/SC watcher, reading virtual Calypso cards (core/VirtualCards)
/// through the real pcscd and vpcd, with no SAM in the host.
/// </summary>
[Collection(PcscCollection.Name)]
public sealed class CalypsoOverPcscTests(PcscFixture fixture)
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private static readonly ZdcDescription Zdc = new()
    {
        IdSupport = "36000007",
        NumeroApplicatif = "0123456789ABCD",
        Crous = 5,
        CreationDate = new DateOnly(2025, 1, 31),
    };

    [Fact]
    public async Task Rev3_then_rev1_cards_are_read_unauthenticated_then_removed()
    {
        await using var bed = await CalypsoBed.StartAsync(fixture);
        await using (var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.Calypso(Zdc)))
        {
            var card = (await bed.NextAsync<CardTapped>()).Card;
            Assert.Equal("36000007", card.IdSupport);
            Assert.Equal("0123456789ABCD", card.NumeroApplicatif);
            Assert.Equal(CardTechnology.Calypso, card.Technology);
            Assert.Equal(PcscFixture.FirstReader, card.ReaderName);
            Assert.False(card.Authenticated);
            Assert.Null(card.SamId);
            Assert.Equal(new DateOnly(2025, 1, 31), card.CreationDate);
            await slot.RemoveAsync();
            Assert.Equal(PcscFixture.FirstReader, (await bed.NextAsync<CardRemoved>()).ReaderName);
        }

        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
        await using var rev1 = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.Calypso(Zdc with { IdSupport = "42" }, CalypsoCardRevision.Rev1));
        var tapped = await bed.NextAsync<CardTapped>();
        Assert.Equal("42", tapped.Card.IdSupport);
        Assert.False(tapped.Card.Authenticated);
        Assert.Equal(2, rev1.ApduCount); // the refused SELECT, then READ RECORD with CLA 94
    }

    [Fact]
    public async Task A_corrupted_record_fails_with_invalid_zdc_without_showing_the_card_number()
    {
        await using var bed = await CalypsoBed.StartAsync(fixture);
        await using var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.Calypso(Zdc, fault: CalypsoCardFault.CorruptedCheckByte));

        var failed = await bed.NextAsync<CardReadFailed>();

        Assert.Equal(CardReadError.InvalidZdc, failed.Error);
        Assert.Contains("checkByte", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("36000007", failed.Detail, StringComparison.Ordinal);
    }

    /// <summary>The plugin behind the host's watcher on the real PC/SC service, no SAM; only the first reader's events.</summary>
    private sealed class CalypsoBed : IAsyncDisposable
    {
        private readonly RecordingSink _sink = new();
        private readonly CalypsoReaderPlugin _plugin = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _watch = Task.CompletedTask;

        public static async Task<CalypsoBed> StartAsync(PcscFixture fixture)
        {
            await fixture.WaitForReaderAsync(PcscFixture.FirstReader, TimeSpan.FromSeconds(15));
            await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
            var bed = new CalypsoBed();
            var settings = JsonDocument.Parse("""{ "readerNamePattern": "^Virtual PCD 00 00$" }""");
            var context = new FakePluginContext(TimeProvider.System, settings.RootElement.Clone());
            await bed._plugin.StartAsync(context, CancellationToken.None);
            var options = new CardReaderOptions { ServiceRetryDelay = TimeSpan.FromMilliseconds(200), StatusWaitTimeout = TimeSpan.FromSeconds(2) };
            var watcher = new PcscCardWatcher(fixture.System, new DirectPluginCatalog(bed._plugin), new FirstReaderSink(bed._sink), options, TimeProvider.System,
                new TypedLogger<PcscCardWatcher>(context.Log));
            bed._watch = Task.Run(() => watcher.RunAsync(bed._stop.Token));
            return bed;
        }

        /// <summary>The next event of type <typeparamref name="T"/>; removals before it are skipped, any other event fails.</summary>
        public async Task<T> NextAsync<T>()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (true)
            {
                var next = await _sink.NextAsync().WaitAsync(limit.Token);
                if (next is T wanted)
                {
                    return wanted;
                }

                if (next is not CardRemoved)
                {
                    throw new InvalidOperationException($"Expected {typeof(T).Name}, got {next}.");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watch;
            await _plugin.StopAsync(CancellationToken.None);
        }
    }

    private sealed class FirstReaderSink(IReaderEventSink inner) : IReaderEventSink
    {
        public void CardTapped(CardTapped tapped)
        {
            if (tapped.Card.ReaderName == PcscFixture.FirstReader)
            {
                inner.CardTapped(tapped);
            }
        }

        public void CardReadFailed(CardReadFailed failed)
        {
            if (failed.ReaderName == PcscFixture.FirstReader)
            {
                inner.CardReadFailed(failed);
            }
        }

        public void CardRemoved(CardRemoved removed)
        {
            if (removed.ReaderName == PcscFixture.FirstReader)
            {
                inner.CardRemoved(removed);
            }
        }

        public void ReadersChanged(string pluginId) => inner.ReadersChanged(pluginId);
    }
}
