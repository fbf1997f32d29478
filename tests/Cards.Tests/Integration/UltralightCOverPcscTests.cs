using Middleware.Contracts.Readers;
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
    private static readonly byte[] Master = Convert.FromHexString(DemoSamKeys.UltralightCMasterKeyHex);
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
        await using var bed = await ReaderBed.StartAsync(fixture, new UltralightCReaderPlugin());
        await using (var slot = await VpcdCardSlot.InsertAsync(IzlyUltralightCCards.FromZdc(Zdc, Uid, Master, addAcsObjects: true)))
        {
            var card = (await bed.NextAsync<CardTapped>()).Card;
            Assert.Equal("36000077", card.IdSupport);
            Assert.Equal("04A1B2C3D4E5F7", card.NumeroApplicatif);
            Assert.Equal(CardTechnology.UltralightC, card.Technology);
            Assert.Equal(PcscFixture.FirstReader, card.ReaderName);
            Assert.Equal(DemoSamKeys.SamId, card.SamId);
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
}
