using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Calypso;
using Middleware.Plugins.Classic;
using Middleware.Plugins.Desfire;
using Middleware.Plugins.UltralightC;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;
using Xunit;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// Bad cards of each technology, made as <c>izly-vcard insert --technology T --fault F</c> makes them, through the real
/// pcscd and vpcd: a wrong key fails authentication, a corrupted record (check byte, impossible BCD date) is refused
/// naming the ZDC field, a card that leaves between authentication and read gives CardRemoved; no card number leaks
/// into the detail, and the same reader then reads the next, good card whole.
/// </summary>
[Collection(PcscCollection.Name)]
public sealed class BadCardsOverPcscTests(PcscFixture fixture)
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);
    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000088", NumeroApplicatif = "04C1A55100AA02", Crous = 5, CreationDate = new DateOnly(2025, 3, 14) };

    [Theory]
    [InlineData("classic1k", "wrong-key", CardReadError.AuthenticationFailed, "sector 1")]
    [InlineData("classic1k", "bad-check-byte", CardReadError.InvalidZdc, "'checkByte'")]
    [InlineData("classic4k", "bad-date", CardReadError.InvalidZdc, "'zdcCreationDate'")]
    [InlineData("classic4k", "removed-mid-read", CardReadError.CardRemoved, null)]
    [InlineData("ultralightc", "wrong-key", CardReadError.AuthenticationFailed, null)]
    [InlineData("ultralightc", "bad-check-byte", CardReadError.InvalidZdc, "'checkByte'")]
    [InlineData("ultralightc", "bad-date", CardReadError.InvalidZdc, "'zdcCreationDate'")]
    [InlineData("ultralightc", "removed-mid-read", CardReadError.CardRemoved, null)]
    [InlineData("calypso", "bad-check-byte", CardReadError.InvalidZdc, "'checkByte'")]
    [InlineData("calypso-rev1", "bad-date", CardReadError.InvalidZdc, "'zdcCreationDate'")]
    [InlineData("calypso", "removed-mid-read", CardReadError.CardRemoved, null)]
    [InlineData("desfire", "bad-check-byte", CardReadError.InvalidZdc, "'checkByte'")]
    [InlineData("desfire", "removed-mid-read", CardReadError.CardRemoved, null)]
    public async Task A_bad_card_gives_a_clear_error_naming_the_field_and_the_next_good_card_is_read(string technology, string fault, CardReadError error, string? field)
    {
        await using var bed = await ReaderBed.StartAsync(fixture, PluginFor(technology));
        await using (await VpcdCardSlot.InsertAsync(Card(technology, fault, Zdc)))
        {
            var failed = await bed.NextAsync<CardReadFailed>();

            Assert.True(failed.Error == error, $"{technology} {fault}: expected {error}, got {failed.Error}: {failed.Detail}");
            if (field is not null)
            {
                Assert.Contains(field, failed.Detail, StringComparison.Ordinal);
            }

            Assert.Equal(PcscFixture.FirstReader, failed.ReaderName);
            Assert.DoesNotContain(Zdc.IdSupport, failed.Detail, StringComparison.Ordinal);
        }

        // Nothing half-read stays behind: the next card on the same reader is read whole.
        await fixture.WaitForStateAsync(PcscFixture.FirstReader, s => !s.HasCard, StateTimeout);
        await using var next = await VpcdCardSlot.InsertAsync(Card(technology, fault: null, Zdc with { IdSupport = "4242" }));
        var tapped = await bed.NextAsync<CardTapped>();
        Assert.Equal("4242", tapped.Card.IdSupport);
        Assert.Equal(new DateOnly(2025, 3, 14), tapped.Card.CreationDate);
    }

    /// <summary>The card the izly-vcard tool builds for these options (its key file: the demo SAM's).</summary>
    private static IVirtualCard Card(string technology, string? fault, ZdcDescription zdc)
    {
        string[] args = ["--holder", "h", "--technology", technology, .. fault is null ? Array.Empty<string>() : ["--fault", fault]];
        Assert.True(VirtualIzlyCardCommand.TryParseInsert(args, out var options, out var error), error);
        return VirtualIzlyCardCommand.BuildCard(options, _ => zdc).Card;
    }

    private static IPlugin PluginFor(string technology) => technology switch
    {
        "classic1k" or "classic4k" => new ClassicReaderPlugin(),
        "ultralightc" => new UltralightCReaderPlugin(),
        "calypso" or "calypso-rev1" => new CalypsoReaderPlugin(),
        _ => new DesfireReaderPlugin(),
    };
}
