using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Classic;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.VirtualCards.Classic;
using Xunit;

namespace Middleware.Cards.Tests.Classic;

/// <summary>The claim (PC/SC Part 3 pseudo-ATR), the settings' validation, and the agreement of the two sides of the
/// Classic key diversification.</summary>
public sealed class ClassicClaimAndSettingsTests
{
    private const string Reader = "Virtual Reader 00";

    private static async Task<ClassicReaderPlugin> StartAsync(string settings = "{}")
    {
        var plugin = new ClassicReaderPlugin();
        var context = new FakePluginContext(new FakeTimeProvider(), JsonDocument.Parse(settings).RootElement.Clone());
        await plugin.StartAsync(context, CancellationToken.None);
        return plugin;
    }

    [Fact]
    public async Task Classic_1K_and_4K_pseudo_atrs_are_claimed_exactly_and_nothing_else()
    {
        var plugin = await StartAsync();
        Assert.Equal(new[] { CardTechnology.Classic1K, CardTechnology.Classic4K }, plugin.Technologies);
        Assert.Equal(CardClaim.Exact, plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x0001))));
        Assert.Equal(CardClaim.Exact, plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x0002))));

        // Ultralight C, Mini (0x0026), a DESFire, an empty ATR, a pseudo-ATR with a wrong TCK or cut short.
        Assert.Null(plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x003A))));
        Assert.Null(plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x0026))));
        Assert.Null(plugin.Claim(new PresentedCard(Reader, Convert.FromHexString("3B8180018080"))));
        Assert.Null(plugin.Claim(new PresentedCard(Reader, ReadOnlyMemory<byte>.Empty)));
        var badTck = VirtualClassicCard.PseudoAtr(0x0001);
        badTck[19] ^= 0x01;
        Assert.Null(plugin.Claim(new PresentedCard(Reader, badTck)));
        Assert.Null(plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x0001)[..19])));
    }

    [Fact]
    public async Task Atr_patterns_from_settings_narrow_and_widen_the_claim()
    {
        // A reader that builds its own ATR for 4K cards; 1K limited to ISO 14443 A part 3 (standard 03) cards of one pattern.
        var plugin = await StartAsync("""
            { "classic1K": { "atrPatterns": ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 .."] },
              "classic4K": { "atrPatterns": ["3B 8A 80 01 00 31 C1 *"] } }
            """);
        Assert.Equal(CardClaim.Exact, plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x0001))));
        Assert.Equal(CardClaim.Exact, plugin.Claim(new PresentedCard(Reader, Convert.FromHexString("3B8A80010031C1640800"))));

        // The real 4K pseudo-ATR no longer fits the 4K patterns.
        Assert.Null(plugin.Claim(new PresentedCard(Reader, VirtualClassicCard.PseudoAtr(0x0002))));
    }

    [Theory]
    [InlineData("""{ "samKeyNumber": 256 }""", "samKeyNumber")]
    [InlineData("""{ "samKeyNumber": -1 }""", "samKeyNumber")]
    [InlineData("""{ "classic1K": { "sector": 16, "blocks": [64, 65], "atrPatterns": ["3B *"] } }""", "classic1K.sector")]
    [InlineData("""{ "classic1K": { "sector": 1, "blocks": [4], "atrPatterns": ["3B *"] } }""", "classic1K.blocks")]
    [InlineData("""{ "classic1K": { "sector": 1, "blocks": [4, 7], "atrPatterns": ["3B *"] } }""", "classic1K.blocks: block 7")]
    [InlineData("""{ "classic1K": { "sector": 1, "blocks": [4, 8], "atrPatterns": ["3B *"] } }""", "classic1K.blocks: block 8")]
    [InlineData("""{ "classic1K": { "sector": 0, "blocks": [0, 1], "atrPatterns": ["3B *"] } }""", "classic1K.blocks: block 0")]
    [InlineData("""{ "classic1K": { "sector": 1, "blocks": [5, 5], "atrPatterns": ["3B *"] } }""", "classic1K.blocks")]
    [InlineData("""{ "classic1K": { "sector": 1, "blocks": [4, 5], "atrPatterns": [] } }""", "classic1K.atrPatterns")]
    [InlineData("""{ "classic1K": { "sector": 1, "blocks": [4, 5], "atrPatterns": ["3B XY"] } }""", "classic1K.atrPatterns")]
    [InlineData("""{ "classic4K": { "sector": 40, "blocks": [4, 5], "atrPatterns": ["3B *"] } }""", "classic4K.sector")]
    [InlineData("""{ "classic4K": { "sector": 32, "blocks": [128, 143], "atrPatterns": ["3B *"] } }""", "classic4K.blocks: block 143")]
    [InlineData("""{ "classic4K": null }""", "classic4K")]
    public async Task Bad_settings_are_refused_naming_the_setting(string settings, string named)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(settings));
        Assert.Contains("Setting " + named, ex.Message);
    }

    [Theory]
    [InlineData("04A1B2C3D4E5F6", 1)]
    [InlineData("A1B2C3D4", 32)]
    public void Sam_and_virtual_card_diversify_key_A_alike(string uidHex, byte sector)
    {
        var uid = Convert.FromHexString(uidHex);
        var master = ClassicTestBed.ClassicMaster;
        var samSide = CardKeyDiversification.Derive(master, SamTechnology.Classic, SamDiversification.ForClassic(uid, sector));
        Assert.Equal(
            CardKeyDiversification.BuildInput(SamTechnology.Classic, SamDiversification.ForClassic(uid, sector), "CROUS"u8),
            ClassicDiversification.Input(uid, sector));
        Assert.Equal(samSide[..6], ClassicDiversification.KeyA(master, uid, sector));
    }

    [Fact]
    public void Virtual_card_answers_as_a_pcsc_reader_does()
    {
        var card = ClassicTestBed.Card(ClassicCardSize.Classic4K);
        Assert.True(StorageCardType.TryParse(card.Atr.Span, out var type));
        Assert.Equal(StorageCardType.Classic4K, type.CardName);

        // READ BINARY before any authentication, then a wrong key, then the right key on another sector.
        Assert.Equal(new byte[] { 0x69, 0x82 }, card.Transmit([0xFF, 0xB0, 0x00, 0x80, 0x10]));
        Assert.Equal(new byte[] { 0x90, 0x00 }, card.Transmit([0xFF, 0x82, 0x00, 0x00, 0x06, 1, 2, 3, 4, 5, 6]));
        Assert.Equal(new byte[] { 0x63, 0x00 }, card.Transmit([0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x80, 0x60, 0x00]));
        Assert.Equal(new byte[] { 0x69, 0x82 }, card.Transmit([0xFF, 0xB0, 0x00, 0x80, 0x10]));
        byte[] loadKey = [0xFF, 0x82, 0x00, 0x00, 0x06, .. ClassicDiversification.KeyA(ClassicTestBed.ClassicMaster, ClassicTestBed.Uid7, 32)];
        Assert.Equal(new byte[] { 0x90, 0x00 }, card.Transmit(loadKey));
        Assert.Equal(new byte[] { 0x90, 0x00 }, card.Transmit([0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x80, 0x60, 0x00]));
        Assert.Equal(18, card.Transmit([0xFF, 0xB0, 0x00, 0x81, 0x10]).Length);
        Assert.Equal(new byte[] { 0x69, 0x82 }, card.Transmit([0xFF, 0xB0, 0x00, 0x04, 0x10]));

        // The trailer never shows key A; a removal of the field ends the authentication.
        Assert.Equal(new byte[6], card.Transmit([0xFF, 0xB0, 0x00, 0x8F, 0x10])[..6]);
        card.PowerOff();
        Assert.Equal(new byte[] { 0x69, 0x82 }, card.Transmit([0xFF, 0xB0, 0x00, 0x80, 0x10]));
        Assert.Equal(new byte[] { 0x6E, 0x00 }, card.Transmit([0x00, 0xA4, 0x04, 0x00, 0x00]));
    }
}
