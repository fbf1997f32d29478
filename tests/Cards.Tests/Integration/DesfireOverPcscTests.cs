using Middleware.Contracts.Readers;
using Middleware.Plugins.Desfire;
using Middleware.VirtualCards.Desfire;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// The project's DESFire reader plugin (loaded directly, not through the plugin host) reading virtual cards that
/// core/VirtualCards personalised independently, through the real pcscd, vpcd and the host's PC/SC service.
/// </summary>
[Collection(PcscCollection.Name)]
public sealed class DesfireOverPcscTests(PcscFixture fixture)
{
    private static readonly byte[] ReadMaster = DemoSamKeys.DesfireReadMasterKey;
    private static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F6");
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private static readonly ZdcDescription Zdc = new()
    {
        IdSupport = "36000000",
        NumeroApplicatif = "04A1B2C3D4E5F6",
        Crous = 5,
        CreationDate = new DateOnly(2024, 9, 2),
    };

    [Fact]
    public async Task A_virtual_izly_card_tapped_gives_the_right_zdc_fields_then_a_removal()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, new DesfireReaderPlugin());
        await using var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(ReadMaster)));

        var tapped = await bed.NextAsync<CardTapped>();
        var card = tapped.Card;
        Assert.Equal("36000000", card.IdSupport);
        Assert.Equal("04A1B2C3D4E5F6", card.NumeroApplicatif);
        Assert.Equal(CardTechnology.Desfire, card.Technology);
        Assert.Equal(PcscFixture.FirstReader, card.ReaderName);
        Assert.Equal(DemoSamKeys.SamId, card.SamId);
        Assert.True(card.Authenticated);
        Assert.Equal(5, card.IssuerCrous);
        Assert.Equal(new DateOnly(2024, 9, 2), card.CreationDate);

        await slot.RemoveAsync();
        var removed = await bed.NextAsync<CardRemoved>();
        Assert.Equal(PcscFixture.FirstReader, removed.ReaderName);
    }

    [Fact]
    public async Task Another_zdc_and_uid_read_back_exactly()
    {
        var zdc = Zdc with { IdSupport = "999999999999999", NumeroApplicatif = "0102030405060A", Crous = 0x1234, CreationDate = new DateOnly(2099, 12, 31) };
        var uid = Convert.FromHexString("04FFEEDDCCBBAA");
        await using var bed = await ReaderBed.StartAsync(fixture, new DesfireReaderPlugin());
        await using var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(zdc, uid, new IzlyCardKeys(ReadMaster)));

        var card = (await bed.NextAsync<CardTapped>()).Card;

        Assert.Equal("999999999999999", card.IdSupport);
        Assert.Equal("0102030405060A", card.NumeroApplicatif);
        Assert.Equal(0x1234, card.IssuerCrous);
        Assert.Equal(new DateOnly(2099, 12, 31), card.CreationDate);
    }

    [Fact]
    public async Task A_card_with_another_key_fails_with_an_authentication_error()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, new DesfireReaderPlugin());
        var otherMaster = Convert.FromHexString("FFEEDDCCBBAA99887766554433221100");
        await using var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(otherMaster)));

        var failed = await bed.NextAsync<CardReadFailed>();

        Assert.Equal(CardReadError.AuthenticationFailed, failed.Error);
        Assert.Equal(PcscFixture.FirstReader, failed.ReaderName);
        Assert.DoesNotContain("36000000", failed.Detail);
    }

    [Fact]
    public async Task A_desfire_card_without_the_izly_application_is_not_an_izly_card()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, new DesfireReaderPlugin());
        await using var slot = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.WithoutIzlyApplication(Uid));

        var failed = await bed.NextAsync<CardReadFailed>();

        Assert.Equal(CardReadError.NotAnIzlyCard, failed.Error);
    }

    [Fact]
    public async Task A_card_removed_during_the_read_gives_a_clear_error_and_the_next_tap_works()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, new DesfireReaderPlugin());
        var first = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(ReadMaster)));
        first.DropBeforeAnswer = apdu => apdu.Length > 1 && apdu.Span[1] == 0xBD; // pulled away when ReadData arrives

        var failed = await bed.NextAsync<CardReadFailed>();
        Assert.True(failed.Error == CardReadError.CardRemoved, $"expected CardRemoved, got {failed.Error}: {failed.Detail}");
        await first.DisposeAsync();
        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);

        await using var second = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(ReadMaster)));
        var tapped = await bed.NextAsync<CardTapped>();
        Assert.Equal("36000000", tapped.Card.IdSupport);
    }

    [Fact]
    public async Task The_plugin_keeps_reading_after_pcscd_is_killed_and_restarted()
    {
        await using var bed = await ReaderBed.StartAsync(fixture, new DesfireReaderPlugin());
        await using (var before = await VpcdCardSlot.InsertAsync(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(ReadMaster))))
        {
            Assert.Equal("36000000", (await bed.NextAsync<CardTapped>()).Card.IdSupport);
        }

        await PcscFixture.RunStartScriptAsync(restart: true);
        await fixture.WaitForReaderAsync(PcscFixture.FirstReader, TimeSpan.FromSeconds(15));

        await using var after = await VpcdCardSlot.InsertAsync(
            IzlyVirtualCards.FromZdc(Zdc with { IdSupport = "42" }, Uid, new IzlyCardKeys(ReadMaster)),
            connectTimeout: TimeSpan.FromSeconds(10));
        var tapped = await bed.NextAsync<CardTapped>(TimeSpan.FromSeconds(30));
        Assert.Equal("42", tapped.Card.IdSupport);
    }
}
