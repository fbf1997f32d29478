using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Readers;
using Middleware.Plugins.UltralightC;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.UltralightC;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// The Ultralight C reader plugin behind the host's watcher reading virtual Ultralight C cards (core/VirtualCards,
/// transparent session emulated) through the real pcscd and vpcd. Kept to two short taps: the readers are shared.
/// </summary>
[Collection(PcscCollection.Name)]
public sealed class UltralightCOverPcscTests(PcscFixture fixture)
{
    private const string SamId = "5357534D000000UC";
    private static readonly byte[] Master = Convert.FromHexString("F0E0D0C0B0A090807060504030201000");
    private static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F7");
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private static readonly ZdcDescription Zdc = new()
    {
        IdSupport = "36000077",
        NumeroApplicatif = "04A1B2C3D4E5F7",
        Crous = 5,
        CreationDate = new DateOnly(2025, 9, 1),
    };

    [Fact]
    public async Task A_virtual_ultralight_c_tapped_gives_its_zdc_then_a_wrong_key_card_fails_authentication()
    {
        await using var bed = await PluginBed.StartAsync(fixture);
        await using (var slot = await VpcdCardSlot.InsertAsync(IzlyUltralightCCards.FromZdc(Zdc, Uid, Master, addAcsObjects: true)))
        {
            var card = (await bed.NextAsync<CardTapped>()).Card;
            Assert.Equal("36000077", card.IdSupport);
            Assert.Equal("04A1B2C3D4E5F7", card.NumeroApplicatif);
            Assert.Equal(CardTechnology.UltralightC, card.Technology);
            Assert.Equal(PcscFixture.FirstReader, card.ReaderName);
            Assert.Equal(SamId, card.SamId);
            Assert.True(card.Authenticated);
            Assert.Equal(new DateOnly(2025, 9, 1), card.CreationDate);
            await slot.RemoveAsync();
        }

        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
        await using var wrong = await VpcdCardSlot.InsertAsync(IzlyUltralightCCards.FromZdc(Zdc, Uid, Master, UltralightCFault.WrongKey));
        var failed = await bed.NextAsync<CardReadFailed>();
        Assert.True(failed.Error == CardReadError.AuthenticationFailed, $"{failed.Error}: {failed.Detail}");
        Assert.DoesNotContain("36000077", failed.Detail, StringComparison.Ordinal);
    }

    private sealed class PluginBed : IAsyncDisposable
    {
        private readonly TempKeyFile _keyFile;
        private readonly SoftwareSam _sam;
        private readonly RecordingSink _sink = new();
        private readonly UltralightCReaderPlugin _plugin = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _watch = Task.CompletedTask;

        private PluginBed(TempKeyFile keyFile, SoftwareSam sam)
        {
            _keyFile = keyFile;
            _sam = sam;
        }

        public static async Task<PluginBed> StartAsync(PcscFixture fixture)
        {
            await fixture.WaitForReaderAsync(PcscFixture.FirstReader, TimeSpan.FromSeconds(15));
            await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
            var keyFile = TempKeyFile.Create($$"""
                { "samId": "{{SamId}}", "keys": [ { "technology": "UltralightC", "keyNumber": 0, "key": "{{Convert.ToHexString(Master)}}" } ] }
                """);
            var sam = new SoftwareSam(Options.Create(new SoftwareSamOptions { KeyFile = keyFile.Path }), NullLogger<SoftwareSam>.Instance);
            var bed = new PluginBed(keyFile, sam);
            var settings = JsonDocument.Parse("""{ "readerNamePattern": "^Virtual PCD 00 00$" }""");
            var context = new FakePluginContext(TimeProvider.System, settings.RootElement.Clone(), sam);
            await bed._plugin.StartAsync(context, CancellationToken.None);
            var options = new CardReaderOptions { ServiceRetryDelay = TimeSpan.FromMilliseconds(200), StatusWaitTimeout = TimeSpan.FromSeconds(2) };
            var watcher = new PcscCardWatcher(fixture.System, new DirectPluginCatalog(bed._plugin), new FirstReaderOnly(bed._sink), options, TimeProvider.System,
                new TypedLogger<PcscCardWatcher>(context.Log));
            bed._watch = Task.Run(() => watcher.RunAsync(bed._stop.Token));
            return bed;
        }

        /// <summary>The next event of type <typeparamref name="T"/>; removals before it are skipped, any other event fails.</summary>
        public async Task<T> NextAsync<T>(TimeSpan? timeout = null)
        {
            using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
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
            _sam.Dispose();
            _keyFile.Dispose();
        }
    }
}
