using System.Diagnostics;
using System.Globalization;
using Middleware.Benchmarks.Cards;

namespace Middleware.Benchmarks.Terminals;

/// <summary>
/// Issue #15: a DemandeZDC round trip through the Tetra plugin (<c>TetraPlugin.ReadCardAsync</c> on the host's serial
/// link service, socat pty, simulated terminal with a card present) against the floor, a raw loop writing and reading
/// the same bytes on the same pty (<see cref="RawConcertExchange"/>), in the same run. Two more loops, the raw bytes
/// with async I/O on the pty file and on the plugin's own link stream, split the difference between async I/O, the
/// link service and the plugin. After a warm-up, the sides run in interleaved blocks (the order turning each block) so
/// that machine noise hits each alike. Prints
/// mean, p50, p95 and p99 per round trip and the ratio plugin/floor; exits 1 when the p50 ratio is above
/// <c>--max-ratio</c> (1.2 by default), so it can gate.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- tetra-read [round trips=500] [--block 25] [--max-ratio 1.2]</c>
/// </summary>
internal static class TetraReadLoadGenerator
{
    public const string Command = "tetra-read";

    // Tiered compilation optimises a method after 30 calls once nothing new was compiled for 100 ms: warm up by count
    // and by time (CardReadMeasurement explains it).
    private const int WarmUpRoundTrips = 100;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(3);

    // No block of round trips may take longer: a hung side fails the run instead of blocking it.
    private static readonly TimeSpan BlockDeadline = TimeSpan.FromSeconds(120);

    private enum Side
    {
        Floor,
        FileAsync,
        HostLink,
        Plugin,
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("tetra-read runs on Linux (socat pty pair).");
            return 2;
        }

        if (!TryParse(args, out var roundTrips, out var block, out var maxRatio))
        {
            Console.Error.WriteLine("usage: tetra-read [round trips=500] [--block 25] [--max-ratio 1.2]");
            return 2;
        }

        TetraReadBench bench;
        using (var starting = new CancellationTokenSource(BlockDeadline))
        {
            bench = await TetraReadBench.StartAsync(starting.Token);
        }

        await using var stopping = bench;
        Console.WriteLine($"tetra-read: request {bench.RequestMessage}; one round trip = ENQ/ACK, request frame/ACK, EOT, ENQ/ACK, answer frame/ACK, EOT; answers checked byte for byte");

        var warmUp = Stopwatch.GetTimestamp();
        var warmed = 0;
        var sink = NewTimes(WarmUpRoundTrips);
        for (; warmed < WarmUpRoundTrips || Stopwatch.GetElapsedTime(warmUp) < WarmUpTime; warmed += 10)
        {
            foreach (var side in Enum.GetValues<Side>())
            {
                await RunBlockAsync(bench, side, 10, sink[side]);
            }
        }

        var times = NewTimes(roundTrips);
        var collections = GC.CollectionCount(0);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sides = Enum.GetValues<Side>();
        for (var done = 0; done < roundTrips; done += block)
        {
            var count = Math.Min(block, roundTrips - done);
            for (var i = 0; i < sides.Length; i++)
            {
                // The order turns each block: no side always runs right after another.
                var side = sides[(i + (done / block)) % sides.Length];
                await RunBlockAsync(bench, side, count, times[side]);
            }
        }

        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        collections = GC.CollectionCount(0) - collections;

        // Every exchange of every side reached the terminal whole, with the plugin's very request.
        var requests = bench.TerminalRequests;
        var expected = 1 + (sides.Length * (warmed + roundTrips));
        if (requests.Count != expected || requests.Any(r => r != bench.RequestMessage))
        {
            Console.Error.WriteLine($"tetra-read: the terminal received {requests.Count} requests ({requests.Distinct().Count()} distinct), not {expected} identical ones.");
            return 3;
        }

        var floor = new Latencies(times[Side.Floor]);
        var fileAsync = new Latencies(times[Side.FileAsync]);
        var link = new Latencies(times[Side.HostLink]);
        var plugin = new Latencies(times[Side.Plugin]);
        Console.WriteLine();
        Console.WriteLine($"tetra-read, {roundTrips} round trips per side in blocks of {block} after {warmed} warm-up ones, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
        Console.WriteLine("| side | mean ms | p50 ms | p95 ms | p99 ms | ratio mean | ratio p50 | ratio p95 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Row("floor: raw loop on the pty (read/write)", floor, floor));
        Console.WriteLine(Row("raw loop, async, on the pty as a file", fileAsync, floor));
        Console.WriteLine(Row("raw loop on the host's link stream", link, floor));
        Console.WriteLine(Row("plugin: TetraPlugin.ReadCardAsync", plugin, floor));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"where the time goes (p50): floor {floor.P50:0.000} ms, async I/O on the file +{fileAsync.P50 - floor.P50:0.000} ms, host link service (vs floor) +{link.P50 - floor.P50:0.000} ms, plugin (SDK base, Concert link, codec) +{plugin.P50 - link.P50:0.000} ms; " +
            $"{collections} gen0 GCs, {cpu.TotalMilliseconds / ((double)sides.Length * roundTrips):0.000} ms CPU of this process per round trip (all sides, the simulator included)"));

        var ratio = plugin.P50 / floor.P50;
        var verdict = ratio <= maxRatio ? "within" : "ABOVE";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio plugin/floor p50 {ratio:0.00}x: {verdict} the target {maxRatio:0.00}x"));
        return ratio <= maxRatio ? 0 : 1;
    }

    private static Dictionary<Side, List<double>> NewTimes(int capacity) =>
        Enum.GetValues<Side>().ToDictionary(s => s, _ => new List<double>(capacity));

    private static async Task RunBlockAsync(TetraReadBench bench, Side side, int count, List<double> times)
    {
        using var deadline = new CancellationTokenSource(BlockDeadline);
        switch (side)
        {
            case Side.Floor:
                // Blocking reads ignore tokens: the block runs aside and the wait for it is bounded instead.
                await Task.Run(
                    () =>
                    {
                        for (var i = 0; i < count; i++)
                        {
                            var start = Stopwatch.GetTimestamp();
                            bench.FloorRoundTrip();
                            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                    },
                    CancellationToken.None).WaitAsync(BlockDeadline);
                break;
            case Side.FileAsync:
                for (var i = 0; i < count; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await bench.FileAsyncRoundTripAsync(deadline.Token);
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                break;
            case Side.HostLink:
                for (var i = 0; i < count; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await bench.HostLinkRoundTripAsync(deadline.Token);
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                break;
            default:
                for (var i = 0; i < count; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await bench.PluginRoundTripAsync(deadline.Token);
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                break;
        }
    }

    private static string Row(string name, Latencies side, Latencies floor) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {side.Mean:0.000} | {side.P50:0.000} | {side.Percentile(0.95):0.000} | {side.P99:0.000} | {side.Mean / floor.Mean:0.00}x | {side.P50 / floor.P50:0.00}x | {side.Percentile(0.95) / floor.Percentile(0.95):0.00}x |");

    private static bool TryParse(string[] args, out int roundTrips, out int block, out double maxRatio)
    {
        roundTrips = 500;
        block = 25;
        maxRatio = 1.2;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--block" && i + 1 < args.Length)
            {
                if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out block) || block < 1)
                {
                    return false;
                }
            }
            else if (arg == "--max-ratio" && i + 1 < args.Length)
            {
                if (!double.TryParse(args[++i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out maxRatio) || maxRatio <= 0)
                {
                    return false;
                }
            }
            else if (i == 0 && int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out roundTrips) && roundTrips >= 1)
            {
                continue;
            }
            else
            {
                return false;
            }
        }

        return roundTrips >= 1;
    }
}
