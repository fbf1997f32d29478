using Middleware.Client;
using Middleware.VirtualCards.Izly;

namespace Middleware.Host.Tests;

/// <summary>
/// Issue #6 through the real parts: a virtual Izly card (core/VirtualCards, written apart from the reader) put on the
/// real pcscd through vpcd, read by the DESFire plugin loaded by the real host from the repository's plugins.json with
/// the host's software SAM (its own key file, mode 600), and the ZDC fields reaching a till over the real pipe.
/// </summary>
public sealed class CardTapEndToEndTests
{
    [Fact]
    public async Task A_tapped_virtual_izly_card_reaches_the_till_with_its_zdc_fields_then_its_removal()
    {
        await using var harness = await CardHostHarness.StartAsync("mwct-");
        var card = CardHostHarness.CardOfHolder(1);

        await using (var slot = await CardHostHarness.InsertAsync(card.Card))
        {
            var tapped = await harness.NextAsync<CardTappedEvent>();

            Assert.Equal(CardHostHarness.Reader, tapped.Reader);
            Assert.Equal("Desfire", tapped.Technology);
            Assert.Equal("36000001", tapped.IdSupport);
            Assert.Equal("04A1B2C3D40001", tapped.NumeroApplicatif);
            Assert.Equal(card.Zdc.IdSupport, tapped.IdSupport);
            Assert.Equal(card.Zdc.NumeroApplicatif, tapped.NumeroApplicatif);
            Assert.True(tapped.Authenticated);
            Assert.Equal(CardHostHarness.SamId, tapped.SamId);
            Assert.Equal(5, tapped.IssuerCrous);
            Assert.Equal(new DateOnly(2024, 9, 2), tapped.CreationDate);
            Assert.True(slot.ApduCount >= 4, $"the card answered {slot.ApduCount} APDUs: UID, select, authenticate and read at least");
            Assert.Equal("CardPresent", (await harness.Till.ListReadersAsync()).Single(r => r.Name == CardHostHarness.Reader).State);

            await slot.RemoveAsync();
            var removed = await harness.NextAsync<CardRemovedEvent>();
            Assert.Equal(CardHostHarness.Reader, removed.Reader);
            Assert.True(removed.At >= tapped.At);
        }

        await harness.WaitForEmptyReaderAsync();
    }

    [Fact]
    public async Task A_card_personalised_with_another_master_key_gives_the_till_a_clear_error_and_the_next_good_tap_works()
    {
        await using var harness = await CardHostHarness.StartAsync("mwcw-");
        var otherMaster = Convert.FromHexString("FFEEDDCCBBAA99887766554433221100");

        await using (var wrong = await CardHostHarness.InsertAsync(CardHostHarness.CardOfHolder(2, otherMaster).Card))
        {
            var failed = await harness.NextAsync<CardReadFailedEvent>();

            Assert.Equal(CardHostHarness.Reader, failed.Reader);
            Assert.Equal("AuthenticationFailed", failed.Error);
            Assert.Equal(1201, failed.Code);
            Assert.Equal("Carte non reconnue : authentification refusée.", failed.Message);
            Assert.False(string.IsNullOrWhiteSpace(failed.Detail));
            // Neither the card's nor the SAM's key may leak to the till.
            Assert.DoesNotContain("FFEEDDCC", failed.Detail, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(DemoSamKeys.DesfireReadMasterKeyHex, failed.Detail, StringComparison.OrdinalIgnoreCase);

            await wrong.RemoveAsync();
            Assert.Equal(CardHostHarness.Reader, (await harness.NextAsync<CardRemovedEvent>()).Reader);
        }

        await harness.WaitForEmptyReaderAsync();
        await using var good = await CardHostHarness.InsertAsync(CardHostHarness.CardOfHolder(2).Card);
        var tapped = await harness.NextAsync<CardTappedEvent>();
        Assert.Equal("36000002", tapped.IdSupport);
        Assert.Equal("04A1B2C3D40002", tapped.NumeroApplicatif);
        Assert.True(tapped.Authenticated);
        Assert.Equal(CardHostHarness.SamId, tapped.SamId);
    }
}
