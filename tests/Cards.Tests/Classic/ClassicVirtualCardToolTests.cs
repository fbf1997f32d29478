using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;
using Xunit;

namespace Middleware.Cards.Tests.Classic;

/// <summary><c>izly-vcard --technology classic1k|classic4k</c>: the option, and the card it builds read by the plugin.</summary>
public sealed class ClassicVirtualCardToolTests
{
    [Theory]
    [InlineData("classic1k", CardTechnology.Classic1K)]
    [InlineData("classic4k", CardTechnology.Classic4K)]
    public async Task Technology_option_builds_a_classic_card_the_plugin_reads(string technology, CardTechnology expected)
    {
        Assert.True(VirtualIzlyCardCommand.TryParseInsert(["--zdc", "card.json", "--technology", technology, "--key-file", "keys.json"], out var options, out var error), error);
        Assert.Equal(technology, options.Technology);
        using var keys = TempKeyFile.Create(DemoSamKeys.KeyFileJson());
        var spec = VirtualIzlyCardSpec.Example with { Uid = "04a1b2c3d40099" };
        var card = ClassicCardSpec.Create(spec, ClassicCardSpec.SizeOf(options.Technology)!.Value, keys.Path);

        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(card);
        var identity = (await bed.Sink.NextAsync<CardTapped>()).Card;
        Assert.Equal(expected, identity.Technology);
        Assert.Equal(spec.IdSupport, identity.IdSupport);
        Assert.Equal(spec.NumeroApplicatif, identity.NumeroApplicatif);
    }

    [Fact]
    public void Unknown_technology_and_a_key_file_without_a_classic_key_are_refused()
    {
        Assert.False(VirtualIzlyCardCommand.TryParseInsert(["--holder", "1000001", "--technology", "classic2k"], out _, out var error));
        Assert.Contains("--technology", error);
        using var keys = TempKeyFile.Create("""{ "keys": [ { "technology": "Desfire", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" } ] }""");
        var ex = Assert.Throws<ArgumentException>(() => ClassicCardSpec.Create(VirtualIzlyCardSpec.Example, ClassicCardSize.Classic1K, keys.Path));
        Assert.Contains("no Classic key 0", ex.Message);
        Assert.DoesNotContain("00112233", ex.Message);
    }
}
