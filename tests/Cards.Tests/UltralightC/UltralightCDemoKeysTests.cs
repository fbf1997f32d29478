using Middleware.Cards.Tests.Desfire;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.UltralightC;
using Xunit;

namespace Middleware.Cards.Tests.UltralightC;

public sealed class UltralightCDemoKeysTests
{
    [Fact]
    public void The_vcard_option_is_taken_out_of_the_arguments()
    {
        string[] args = ["insert", "--holder", "1000001", "--technology", "ultralightc", "--seconds", "5"];
        Assert.True(UltralightCCardCommand.TakeOption(ref args));
        Assert.Equal(new[] { "insert", "--holder", "1000001", "--seconds", "5" }, args);
        string[] other = ["insert", "--technology", "desfire"];
        Assert.False(UltralightCCardCommand.TakeOption(ref other));
        Assert.Equal(3, other.Length);
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
