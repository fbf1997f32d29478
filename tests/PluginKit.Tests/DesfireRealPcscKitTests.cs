using Middleware.Plugins.Testing;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The reader profile against the DESFire plugin on the real pcscd with vsmartcard-vpcd (the kit takes the
/// virtual readers' cross-process lock). Never skipped: CI installs pcscd and vpcd.</summary>
[Trait("Category", "Pcsc")]
public sealed class DesfireRealPcscKitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Desfire_plugin_passes_the_reader_profile_on_real_pcscd()
    {
        await Pcscd.EnsureRunningAsync();

        var report = await ConformanceKit.RunReaderProfileAsync(KitDesfireCards.DesfireOptions(real: true));

        KitPlugins.Publish(output, report, "reader.desfire.pcscd");
        Assert.Contains("real pcscd", report.Profile, StringComparison.Ordinal);
        report.ThrowIfFailed();
    }
}
