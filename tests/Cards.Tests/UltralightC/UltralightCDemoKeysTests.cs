using Middleware.Cards.Tests.Desfire;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.UltralightC;
using Xunit;

namespace Middleware.Cards.Tests.UltralightC;

public sealed class UltralightCDemoKeysTests
{
    [Fact]
    public void The_vcard_option_builds_an_ultralight_c_card_from_the_key_files_entry()
    {
        Assert.True(VirtualIzlyCardCommand.TryParseInsert(["--zdc", "card.json", "--technology", "ultralightc", "--seconds", "5"], out var options, out var error), error);
        Assert.Equal("ultralightc", options.Technology);
        using var file = TempKeyFile.Create(DemoSamKeys.KeyFileJson());
        var (spec, card) = VirtualIzlyCardCommand.BuildCard(options with { DescriptionPath = null, Holder = "1", KeyFile = file.Path }, _ => UltralightCTestBed.Zdc);
        Assert.IsType<VirtualUltralightCCard>(card);
        Assert.Equal(UltralightCTestBed.Zdc.IdSupport, spec.IdSupport);
    }

    [Fact]
    public async Task A_card_personalised_from_the_demo_key_file_is_read_by_a_sam_loading_that_file()
    {
        using var file = TempKeyFile.Create(DemoSamKeys.KeyFileJson());
        var master = Convert.FromHexString(UltralightCCardCommand.ReadMasterKeyHex(file.Path));
        Assert.Equal(DemoSamKeys.UltralightCMasterKeyHex, Convert.ToHexString(master));
        var card = IzlyVirtualCards.UltralightCFromZdc(UltralightCTestBed.Zdc, UltralightCTestBed.Uid, master);

        await using var bed = await UltralightCTestBed.StartAsync(keyFileJson: DemoSamKeys.KeyFileJson());
        Assert.Equal("36000042", (await bed.ReadAsync(card)).IdSupport);
        Assert.Equal(DemoSamKeys.SamId, (await bed.ReadAsync(card)).SamId);
    }

    [Fact]
    public void A_key_file_without_an_ultralight_c_key_is_named_not_shown()
    {
        using var file = TempKeyFile.Create("""{ "keys": [ { "technology": "Desfire", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" } ] }""");
        var ex = Assert.Throws<ArgumentException>(() => UltralightCCardCommand.ReadMasterKeyHex(file.Path));
        Assert.Contains("no UltralightC key 0", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0011223344", ex.Message, StringComparison.Ordinal);
    }
}
