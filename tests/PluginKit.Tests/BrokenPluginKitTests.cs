using Middleware.Plugins.Testing;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The kit can fail: a plugin that claims every card and blocks 2 s in Claim gets failing rows.</summary>
public sealed class BrokenPluginKitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Broken_reader_gets_failing_rows()
    {
        var options = KitDesfireCards.DesfireOptions(real: false);
        var report = await ConformanceKit.RunReaderProfileAsync(new ReaderKitOptions
        {
            PluginDirectory = KitPlugins.OutputOf("TestPlugin.BadReader"),
            AssemblyFileName = "TestPlugin.BadReader.dll",
            PluginId = "test.badreader",
            SettingsJson = """{ "readTimeoutMs": 500 }""",
            SampleCards = options.SampleCards,
            ClaimSamples = 5,
        });

        KitPlugins.Publish(output, report, "test.badreader");
        Assert.False(report.Passed);
        var failed = report.Failures.Select(f => f.Name).ToList();
        Assert.Contains(failed, n => n.StartsWith("foreign card", StringComparison.Ordinal));
        Assert.Contains(failed, n => n.StartsWith("claim <", StringComparison.Ordinal));
        Assert.Contains(failed, n => n.StartsWith("garbage answer", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Passed && c.Name == "contract version");
        var thrown = Assert.Throws<ConformanceException>(report.ThrowIfFailed);
        Assert.Contains("FAIL", thrown.Message, StringComparison.Ordinal);
    }
}
