using Middleware.Plugins.Testing;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The reader profile against the DESFire plugin's build output, on the kit's fake PC/SC service.</summary>
public sealed class DesfireKitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Desfire_plugin_passes_the_reader_profile_on_fake_pcsc()
    {
        var report = await ConformanceKit.RunReaderProfileAsync(KitDesfireCards.DesfireOptions(real: false));

        KitPlugins.Publish(output, report, "reader.desfire.fake");
        Assert.True(report.Checks.Count >= 14, $"only {report.Checks.Count} checks ran");
        report.ThrowIfFailed();
    }
}
