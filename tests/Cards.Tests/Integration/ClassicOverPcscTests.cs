using Middleware.Contracts.Readers;
using Middleware.Plugins.Classic;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// The Classic reader plugin behind the host's watcher reading virtual Classic cards through the real pcscd and vpcd:
/// the pseudo-ATR and the reader's pseudo-APDUs (FF CA, FF 82, FF 86, FF B0) travel through the real stack.
/// </summary>
[Collection(PcscCollection.Name)]
public sealed class ClassicOverPcscTests(PcscFixture fixture)
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Uid = Convert.FromHexString("04C1A55100AA01");
    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000077", NumeroApplicatif = "04C1A55100AA01", Crous = 5, CreationDate = new DateOnly(2025, 1, 31) };

    [Fact]
    public async Task A_virtual_classic_4K_card_tapped_gives_the_zdc_then_a_1K_with_another_key_is_refused()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, new ClassicReaderPlugin());
        var master = Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex);
        await using (var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(Zdc, Uid, master, ClassicCardSize.Classic4K)))
        {
            var card = (await bed.NextAsync<CardTapped>()).Card;
            Assert.Equal("36000077", card.IdSupport);
            Assert.Equal("04C1A55100AA01", card.NumeroApplicatif);
            Assert.Equal(CardTechnology.Classic4K, card.Technology);
            Assert.Equal(PcscFixture.FirstReader, card.ReaderName);
            Assert.Equal(DemoSamKeys.SamId, card.SamId);
            Assert.Equal(new DateOnly(2025, 1, 31), card.CreationDate);

            // GET DATA, LOAD KEY, GENERAL AUTHENTICATE, two READ BINARY: the card saw exactly the §4 sequence.
            Assert.Equal(5, slot.ApduCount);
            await slot.RemoveAsync();
            await bed.NextAsync<CardRemoved>();
        }

        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
        var wrongKey = IzlyVirtualCards.FromZdc(Zdc, Uid, master, ClassicCardSize.Classic1K, new ClassicCardFaults(WrongKey: true));
        await using (await VpcdCardSlot.InsertAsync(wrongKey))
        {
            var failed = await bed.NextAsync<CardReadFailed>();
            Assert.Equal(CardReadError.AuthenticationFailed, failed.Error);
            Assert.Contains("refused key A of sector 1", failed.Detail);
            Assert.Equal(PcscFixture.FirstReader, failed.ReaderName);
        }
    }
}
