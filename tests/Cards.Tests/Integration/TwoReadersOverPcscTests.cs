using Middleware.Contracts.Readers;
using Middleware.Plugins.Calypso;
using Middleware.Plugins.Classic;
using Middleware.Plugins.Desfire;
using Middleware.Plugins.UltralightC;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Calypso;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.UltralightC;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// The two vpcd readers watched at once with every reader plugin loaded: two cards of different technologies put down
/// at the same moment give two notifications, each with its own reader, technology and ZDC (each card is claimed by
/// ATR, read by its own plugin, and nothing of one read leaks into the other).
/// </summary>
[Collection(PcscCollection.Name)]
public sealed class TwoReadersOverPcscTests(PcscFixture fixture)
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_technologies_tapped_at_the_same_moment_on_the_two_readers_give_two_correct_notifications()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, [PcscFixture.FirstReader, PcscFixture.SecondReader],
            new DesfireReaderPlugin(), new ClassicReaderPlugin(), new UltralightCReaderPlugin(), new CalypsoReaderPlugin());
        (CardTechnology, CardTechnology)[] rounds =
        [
            (CardTechnology.Classic1K, CardTechnology.UltralightC),
            (CardTechnology.Calypso, CardTechnology.Desfire),
            (CardTechnology.UltralightC, CardTechnology.Classic4K),
            (CardTechnology.Desfire, CardTechnology.Calypso),
        ];

        for (var round = 0; round < rounds.Length; round++)
        {
            var (first, second) = rounds[round];
            var firstZdc = ZdcOf(round, 1);
            var secondZdc = ZdcOf(round, 2);
            var slots = await Task.WhenAll(
                VpcdCardSlot.InsertAsync(CardOf(first, firstZdc), VpcdCardSlot.FirstReaderPort),
                VpcdCardSlot.InsertAsync(CardOf(second, secondZdc), VpcdCardSlot.SecondReaderPort));
            try
            {
                var taps = new[] { await bed.NextAsync<CardTapped>(), await bed.NextAsync<CardTapped>() }.ToDictionary(t => t.Card.ReaderName);

                Assert.Equal(2, taps.Count);
                AssertRead(taps[PcscFixture.FirstReader].Card, first, firstZdc);
                AssertRead(taps[PcscFixture.SecondReader].Card, second, secondZdc);
            }
            finally
            {
                foreach (var slot in slots)
                {
                    await slot.DisposeAsync();
                }
            }

            await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
            await fixture.WaitForStateAsync(PcscFixture.SecondReader, s => !s.HasCard, StateTimeout);
        }
    }

    private static void AssertRead(CardIdentity card, CardTechnology technology, ZdcDescription zdc)
    {
        Assert.Equal(technology, card.Technology);
        Assert.Equal(zdc.IdSupport, card.IdSupport);
        Assert.Equal(zdc.NumeroApplicatif, card.NumeroApplicatif);
        Assert.Equal(zdc.CreationDate, card.CreationDate);
        // Calypso is read without a SAM (cards.md §6); the others through the demo SAM.
        Assert.Equal(technology != CardTechnology.Calypso, card.Authenticated);
    }

    /// <summary>A ZDC unique to the round and reader, so that a read crossing readers would show.</summary>
    private static ZdcDescription ZdcOf(int round, int reader) => new()
    {
        IdSupport = $"3600{round}{reader}",
        NumeroApplicatif = $"04C1A5510{round}0{reader}0{reader}",
        Crous = 5,
        CreationDate = new DateOnly(2025, 1 + round, 10 + reader),
    };

    private static IVirtualCard CardOf(CardTechnology technology, ZdcDescription zdc)
    {
        var uid = Convert.FromHexString(zdc.NumeroApplicatif);
        return technology switch
        {
            CardTechnology.Desfire => IzlyVirtualCards.FromZdc(zdc, uid, new IzlyCardKeys(DemoSamKeys.DesfireReadMasterKey)),
            CardTechnology.Classic1K => IzlyVirtualCards.FromZdc(zdc, uid, Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex), ClassicCardSize.Classic1K),
            CardTechnology.Classic4K => IzlyVirtualCards.FromZdc(zdc, uid, Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex), ClassicCardSize.Classic4K),
            CardTechnology.UltralightC => IzlyUltralightCCards.FromZdc(zdc, uid, Convert.FromHexString(DemoSamKeys.UltralightCMasterKeyHex)),
            CardTechnology.Calypso => IzlyVirtualCards.Calypso(zdc, CalypsoCardRevision.Rev3),
            _ => throw new ArgumentOutOfRangeException(nameof(technology), technology, null),
        };
    }
}
