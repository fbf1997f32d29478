using Middleware.Plugins.Testing;
using Middleware.VirtualCards.Calypso;
using Middleware.VirtualCards.Izly;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The reader profile against the Calypso plugin's build output, on the kit's fake PC/SC service and on the
/// real pcscd with vsmartcard-vpcd (the kit takes the virtual readers' lock). No SAM: the Calypso read needs none.</summary>
public sealed class CalypsoKitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Calypso_plugin_passes_the_reader_profile_on_fake_pcsc()
    {
        var report = await ConformanceKit.RunReaderProfileAsync(Options(real: false));

        KitPlugins.Publish(output, report, "reader.calypso.fake");
        Assert.True(report.Checks.Count >= 14, $"only {report.Checks.Count} checks ran");
        report.ThrowIfFailed();
    }

    [Fact]
    [Trait("Category", "Pcsc")]
    public async Task Calypso_plugin_passes_the_reader_profile_on_real_pcscd()
    {
        await Pcscd.EnsureRunningAsync();

        var report = await ConformanceKit.RunReaderProfileAsync(Options(real: true));

        KitPlugins.Publish(output, report, "reader.calypso.pcscd");
        Assert.Contains("real pcscd", report.Profile, StringComparison.Ordinal);
        report.ThrowIfFailed();
    }

    private static KitCard Card(string idSupport, CalypsoCardRevision revision)
    {
        var zdc = new ZdcDescription { IdSupport = idSupport, NumeroApplicatif = "0123456789ABCD", Crous = 5 };
        return KitCard.FromVirtualCard($"Izly Calypso {revision} {idSupport[^4..]}", IzlyVirtualCards.Calypso(zdc, revision), idSupport);
    }

    private static ReaderKitOptions Options(bool real) => new()
    {
        PluginDirectory = KitPlugins.OutputOf("Middleware.Plugins.Calypso"),
        AssemblyFileName = "Middleware.Plugins.Calypso.dll",
        PluginId = "reader.calypso",
        SettingsJson = real ? """{ "readTimeoutMs": 2000 }""" : """{ "readTimeoutMs": 500 }""",
        HostReadBudget = TimeSpan.FromSeconds(real ? 5 : 3),
        SampleCards = [Card("36000003", CalypsoCardRevision.Rev3), Card("36000004", CalypsoCardRevision.Rev1)],
        UseRealPcsc = real,
    };
}
