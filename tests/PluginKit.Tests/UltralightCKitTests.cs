using Middleware.Plugins.Testing;
using Middleware.VirtualCards.Izly;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The reader profile against the Ultralight C plugin's build output, on the kit's fake PC/SC service and on
/// the real pcscd with vsmartcard-vpcd (the kit takes the virtual readers' lock).</summary>
public sealed class UltralightCKitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UltralightC_plugin_passes_the_reader_profile_on_fake_pcsc()
    {
        var report = await ConformanceKit.RunReaderProfileAsync(Options(real: false));

        KitPlugins.Publish(output, report, "reader.ultralightc.fake");
        Assert.True(report.Checks.Count >= 14, $"only {report.Checks.Count} checks ran");
        report.ThrowIfFailed();
    }

    [Fact]
    [Trait("Category", "Pcsc")]
    public async Task UltralightC_plugin_passes_the_reader_profile_on_real_pcscd()
    {
        await Pcscd.EnsureRunningAsync();

        var report = await ConformanceKit.RunReaderProfileAsync(Options(real: true));

        KitPlugins.Publish(output, report, "reader.ultralightc.pcscd");
        Assert.Contains("real pcscd", report.Profile, StringComparison.Ordinal);
        report.ThrowIfFailed();
    }

    private static KitCard Card(string idSupport, string uidHex)
    {
        var zdc = new ZdcDescription { IdSupport = idSupport, NumeroApplicatif = "0123456789ABCD", Crous = 5 };
        var card = IzlyVirtualCards.UltralightCFromZdc(zdc, Convert.FromHexString(uidHex), Convert.FromHexString(DemoSamKeys.UltralightCMasterKeyHex));
        return KitCard.FromVirtualCard("Izly Ultralight C " + idSupport[^4..], card, idSupport);
    }

    private static ReaderKitOptions Options(bool real) => new()
    {
        PluginDirectory = KitPlugins.OutputOf("Middleware.Plugins.UltralightC"),
        AssemblyFileName = "Middleware.Plugins.UltralightC.dll",
        PluginId = "reader.ultralightc",
        SettingsJson = real ? """{ "readTimeoutMs": 2000 }""" : """{ "readTimeoutMs": 500 }""",
        HostReadBudget = TimeSpan.FromSeconds(real ? 5 : 3),
        SamKeyFileJson = KitDesfireCards.SamKeyFile,
        SampleCards = [Card("36000101", "04C1B2C3D4E5F6"), Card("36000102", "04C1B2C3D4E5F7")],
        UseRealPcsc = real,
    };
}
