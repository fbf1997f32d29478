using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Cards.Pcsc;
using Middleware.Cards.Sam;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.VirtualCards.Izly;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// Card read through the real pcscd and vpcd, per technology (DESFire, Classic 1K and 4K, Ultralight C, Calypso): the
/// reader plugin's read of a present virtual Izly card ("tap -> ZDC": connect, the plugin's whole read including the
/// software SAM's work, ZDC parse, disconnect) next to a minimal raw PC/SC loop (<see cref="RawPcsc"/>) replaying the
/// exact APDU sequence the plugin sent, answers checked byte for byte. One table row per technology: p50, p99, the
/// ratios plugin/raw (target &lt;= 1.2x) and the APDU count.
/// Needs pcscd with vsmartcard-vpcd running (tests/pcsc/start-pcscd.sh) and takes the PC/SC tests' lock.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- card-read [desfire|classic1k|classic4k|ultralightc|calypso|all] [iterations=300]</c>
/// </summary>
internal static class CardReadLoadGenerator
{
    public const string Command = "card-read";
    private const string Reader = "Virtual PCD 00 00";

    public static async Task<int> RunAsync(string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("card-read runs on Linux (pcscd + vpcd).");
            return 2;
        }

        if (!TryParse(args, out var cases, out var iterations))
        {
            Console.Error.WriteLine($"usage: card-read [{string.Join('|', CardBenchCases.All.Select(c => c.Name))}|all] [iterations=300]");
            return 2;
        }

        await using var gate = await Middleware.Tests.Pcsc.PcscTestLock.AcquireAsync(TimeSpan.FromMinutes(5));
        var keyDir = Directory.CreateTempSubdirectory("mw-card-bench-");
        try
        {
            // The demo SAM's key file (mode 600 from creation): DESFire, Ultralight C and the exportable Classic key.
            var keyFile = Path.Combine(keyDir.FullName, "sam-keys.json");
            DemoSamKeys.WriteKeyFile(keyFile);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cards:SoftwareSam:KeyFile"] = keyFile }).Build();
            await using var services = new ServiceCollection().AddLogging().AddPcsc(configuration).AddSoftwareSam(configuration).BuildServiceProvider();
            var pcsc = services.GetRequiredService<ISmartCardSystem>();
            await ReaderWait.UntilAsync(pcsc, Reader, hasCard: false, TimeSpan.FromSeconds(30));
            using var raw = new RawPcsc();
            var measurement = new CardReadMeasurement(pcsc, services.GetRequiredService<ISam>(), raw, Reader);
            var results = new List<CardReadResult>();
            foreach (var benchCase in cases)
            {
                results.Add(await measurement.RunAsync(benchCase, iterations));
            }

            Console.WriteLine();
            Console.WriteLine($"card-read, {iterations} iterations per technology, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
            Console.WriteLine(CardReadResult.Header);
            foreach (var result in results)
            {
                Console.WriteLine(result.Row);
            }

            return 0;
        }
        finally
        {
            keyDir.Delete(recursive: true);
        }
    }

    private static bool TryParse(string[] args, out IReadOnlyList<CardBenchCase> cases, out int iterations)
    {
        cases = CardBenchCases.All;
        iterations = 300;
        var rest = args.AsSpan();
        if (rest.Length > 0 && !int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            if (CardBenchCases.Select(rest[0]) is not { } selected)
            {
                return false;
            }

            cases = selected;
            rest = rest[1..];
        }

        if (rest.Length > 0 && (!int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1))
        {
            return false;
        }

        return rest.Length <= 1;
    }
}
