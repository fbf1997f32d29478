using Middleware.Plugins.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Company.IzlyReader.Tests;

/// <summary>
/// The middleware's conformance kit (Middleware.Plugins.Testing) run against this plugin's build output, loaded the way
/// the host loads it: contract version, lifecycle, taps and removals through the host's PC/SC watch, error mapping,
/// timeouts, fast claims, and a hot reload that really unloads it.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThePluginPassesTheReaderProfileOfTheConformanceKit()
    {
        // The plugin's own build output (the project beside this one), not this test's folder: that is what gets deployed.
        var pluginDirectory = AppContext.BaseDirectory.Replace(
            Path.Combine("tests", "Company.IzlyReader.Tests"), Path.Combine("src", "Company.IzlyReader"), StringComparison.Ordinal);
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        card.WriteZdc(4, SampleZdc.Bytes);
        var report = await ConformanceKit.RunReaderProfileAsync(new ReaderKitOptions
        {
            PluginDirectory = pluginDirectory,
            AssemblyFileName = "Company.IzlyReader.dll",
            PluginId = ClassicReaderPlugin.PluginId,
            SettingsJson = $$"""{ "keyA": "{{SampleZdc.KeyHex}}", "readTimeoutMs": 500 }""",
            SampleCards = [new KitCard("MIFARE Classic 1K Izly card", card.Atr, apdu => card.TransmitAsync(apdu, CancellationToken.None).GetAwaiter().GetResult(), "36000000")],
            // A card this plugin must leave to others: a DESFire (ISO 14443-4) ATR.
            ForeignCard = new KitCard("MIFARE DESFire", new byte[] { 0x3B, 0x81, 0x80, 0x01, 0x80, 0x80 }, _ => [0x6A, 0x81]),
        });

        output.WriteLine(report.ToText());
        report.ThrowIfFailed();
    }
}
