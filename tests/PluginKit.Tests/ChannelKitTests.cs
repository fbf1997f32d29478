using Middleware.Plugins.Testing;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The channel profile against the three payment channel plugins' build output.</summary>
public sealed class ChannelKitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Middleware.Plugins.QrChannel", "channel.qr")]
    [InlineData("Middleware.Plugins.CardChannel", "channel.card")]
    [InlineData("Middleware.Plugins.IzlyPayChannel", "channel.izlypay")]
    public async Task Channel_plugin_passes_the_channel_profile(string project, string pluginId)
    {
        var report = await ConformanceKit.RunChannelProfileAsync(new ChannelKitOptions
        {
            PluginDirectory = KitPlugins.OutputOf(project),
            AssemblyFileName = project + ".dll",
            PluginId = pluginId,
        });

        KitPlugins.Publish(output, report, pluginId);
        Assert.True(report.Checks.Count >= 8, $"only {report.Checks.Count} checks ran");
        report.ThrowIfFailed();
    }
}
