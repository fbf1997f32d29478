using Middleware.Plugins.Testing;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The reader profile against the Classic plugin's build output: on the kit's fake PC/SC service and on the
/// real pcscd with vsmartcard-vpcd (the kit takes the virtual readers' cross-process lock).</summary>
public sealed class ClassicKitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Classic_plugin_passes_the_reader_profile_on_fake_pcsc()
    {
        var report = await ConformanceKit.RunReaderProfileAsync(KitClassicCards.Options(real: false));

        KitPlugins.Publish(output, report, "reader.classic.fake");
        Assert.True(report.Checks.Count >= 14, $"only {report.Checks.Count} checks ran");
        report.ThrowIfFailed();
    }

    [Fact]
    [Trait("Category", "Pcsc")]
    public async Task Classic_plugin_passes_the_reader_profile_on_real_pcscd()
    {
        await Pcscd.EnsureRunningAsync();

        var report = await ConformanceKit.RunReaderProfileAsync(KitClassicCards.Options(real: true));

        KitPlugins.Publish(output, report, "reader.classic.pcscd");
        Assert.Contains("real pcscd", report.Profile, StringComparison.Ordinal);
        report.ThrowIfFailed();
    }
}

/// <summary>Virtual Izly Classic 1K and 4K cards personalised with the sandbox's public demo SAM keys; the foreign card
/// is an Ultralight C (another storage card of the same pseudo-ATR family, which this plugin must leave).</summary>
internal static class KitClassicCards
{
    private static readonly byte[] Master = Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex);

    public static KitCard Izly(string idSupport, string uidHex, ClassicCardSize size)
    {
        var zdc = new ZdcDescription { IdSupport = idSupport, NumeroApplicatif = "0123456789ABCD", Crous = 5 };
        var card = IzlyVirtualCards.FromZdc(zdc, Convert.FromHexString(uidHex), Master, size);
        return KitCard.FromVirtualCard($"Izly {size} {idSupport[^4..]}", card, idSupport);
    }

    public static ReaderKitOptions Options(bool real) => new()
    {
        PluginDirectory = KitPlugins.OutputOf("Middleware.Plugins.Classic"),
        AssemblyFileName = "Middleware.Plugins.Classic.dll",
        PluginId = "reader.classic",
        SettingsJson = real ? """{ "readTimeoutMs": 2000 }""" : """{ "readTimeoutMs": 500 }""",
        HostReadBudget = TimeSpan.FromSeconds(real ? 5 : 3),
        SamKeyFileJson = DemoSamKeys.KeyFileJson(),
        SampleCards = [Izly("36000011", "04A1B2C3D4E5F6", ClassicCardSize.Classic1K), Izly("36000012", "A1B2C3D4", ClassicCardSize.Classic4K)],
        ForeignCard = new KitCard("MIFARE Ultralight C", VirtualClassicCard.PseudoAtr(0x003A), _ => [0x6A, 0x81]),
        UseRealPcsc = real,
    };
}
