using Middleware.Contracts.Readers;
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
        await using var bed = await ReaderBed.StartAsync(fixture, new CalypsoReaderPlugin());
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
}
