using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Middleware.Benchmarks.Pipe;

/// <summary>
/// Load generator: N clients each send no-op <c>ping</c> calls back to back for a fixed time, against the middleware
/// and against a raw echo of the same bytes. Prints p50/p99 latency and calls/s for 1 and 8 clients.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- pipe-load [seconds]</c>.
/// </summary>
public static class PipeLoadGenerator
{
    public const string Command = "pipe-load";

    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        await using var server = await PipeBenchServer.StartAsync();
        await using var echo = RawEchoServer.Start();
        Console.WriteLine($"Pipe load: {Environment.ProcessorCount} cores, {seconds} s per run, ping line {Ping.Length} bytes");
        Console.WriteLine("target          clients      p50 µs      p99 µs      calls/s");
        foreach (var clients in new[] { 1, 8 })
        {
            var raw = await MeasureAsync(echo.PipeName, clients, seconds, hello: false);
            var mw = await MeasureAsync(server.PipeName, clients, seconds, hello: true);
            Print("raw echo", clients, raw);
            Print("middleware", clients, mw);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio middleware/raw: p50 {mw.P50 / raw.P50:F2}x, throughput {raw.CallsPerSecond / mw.CallsPerSecond:F2}x"));
        }

        return 0;
    }

    private static void Print(string target, int clients, Result r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target,-15} {clients,7} {r.P50,11:F1} {r.P99,11:F1} {r.CallsPerSecond,12:F0}"));

    private static async Task<Result> MeasureAsync(string pipeName, int clientCount, double seconds, bool hello)
    {
        var clients = new List<LineClient>();
        for (var i = 0; i < clientCount; i++)
        {
            var client = await LineClient.ConnectAsync(pipeName);
            if (hello)
            {
                await client.RoundTripAsync(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"hello\",\"params\":{{\"pointOfSale\":\"{PipeBenchServer.PointOfSale}\"}}}}\n"));
            }

            clients.Add(client);
        }

        // Warm-up (JIT, pools), then the measured run.
        await RunAsync(clients, TimeSpan.FromSeconds(Math.Min(2, seconds / 2)));
        var (latencies, elapsed) = await RunAsync(clients, TimeSpan.FromSeconds(seconds));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1_000_000.0 / Stopwatch.Frequency;
        return new Result(Percentile(0.50), Percentile(0.99), all.Length / elapsed.TotalSeconds);
    }

    private static async Task<(List<long>[] Latencies, TimeSpan Elapsed)> RunAsync(List<LineClient> clients, TimeSpan duration)
    {
        var latencies = clients.Select(_ => new List<long>(1 << 20)).ToArray();
        var total = Stopwatch.StartNew();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(clients.Select((client, i) => Task.Run(async () =>
        {
            var list = latencies[i];
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await client.RoundTripAsync(Ping);
                list.Add(Stopwatch.GetTimestamp() - start);
            }
        })));
        return (latencies, total.Elapsed);
    }

    private sealed record Result(double P50, double P99, double CallsPerSecond);
}
