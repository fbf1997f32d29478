using Middleware.Plugins.Testing;
using Xunit.Abstractions;

namespace Middleware.PluginKit.Tests;

/// <summary>The kit can fail: a plugin that claims every card and blocks 2 s in Claim, and one built for the next
/// contract, get failing rows.</summary>
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

    [Fact]
    public async Task Plugin_built_for_another_contract_fails_the_contract_rows()
    {
        var report = await ConformanceKit.RunChannelProfileAsync(new ChannelKitOptions
        {
            PluginDirectory = KitPlugins.OutputOf("TestPlugin.WrongContract"),
            AssemblyFileName = "TestPlugin.WrongContract.dll",
            PluginId = "test.wrongcontract",
        });

        KitPlugins.Publish(output, report, "test.wrongcontract");
        var contract = Assert.Single(report.Checks, c => c.Name == "contract version");
        Assert.False(contract.Passed);
        Assert.Contains("contract 3.0", contract.Detail, StringComparison.Ordinal);
        Assert.False(Assert.Single(report.Checks, c => c.Name == "loads Active in a real catalog").Passed);
        Assert.DoesNotContain(report.Checks, c => c.Passed);
    }
}
