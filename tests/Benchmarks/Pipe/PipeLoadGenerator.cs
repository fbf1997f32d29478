using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Middleware.Benchmarks.Pipe;

/// <summary>
/// Load generator: N clients each send no-op <c>ping</c> calls back to back, against the middleware and against a raw
/// echo of the same bytes. Prints p50/p99 latency and calls/s for 1 and 8 clients, and the middleware/raw ratios of all three.
/// The measured time is cut into rounds that alternate raw and middleware (the order flipping each round), so a
/// neighbour's load on this shared machine hits both alike instead of one whole run.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- pipe-load [seconds per target] [rounds]</c>.
/// </summary>
public static class PipeLoadGenerator
{
    public const string Command = "pipe-load";

    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
        await using var server = await PipeBenchServer.StartAsync();
        await using var echo = RawEchoServer.Start();
        Console.WriteLine($"Pipe load: {Environment.ProcessorCount} cores, {seconds} s per target in {rounds} interleaved rounds, ping line {Ping.Length} bytes");
        Console.WriteLine("target          clients      p50 µs      p99 µs      calls/s   B/call (server+clients)");
        foreach (var clients in new[] { 1, 8 })
        {
            var rawClients = await ConnectAsync(echo.PipeName, clients, hello: false);
            var mwClients = await ConnectAsync(server.PipeName, clients, hello: true);
            var warmUp = TimeSpan.FromSeconds(Math.Min(2, seconds / 2));
            await RunAsync(rawClients, warmUp);
            await RunAsync(mwClients, warmUp);

            var raw = new Samples();
            var mw = new Samples();
            var round = TimeSpan.FromSeconds(seconds / rounds);
            for (var r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    raw.Add(await RunAsync(rawClients, round));
                    mw.Add(await RunAsync(mwClients, round));
                }
                else
                {
                    mw.Add(await RunAsync(mwClients, round));
                    raw.Add(await RunAsync(rawClients, round));
                }
            }

            foreach (var client in rawClients.Concat(mwClients))
            {
                await client.DisposeAsync();
            }

            var rawResult = raw.Result();
            var mwResult = mw.Result();
            Print("raw echo", clients, rawResult);
            Print("middleware", clients, mwResult);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ratio middleware/raw, {clients} client(s): p50 {mwResult.P50 / rawResult.P50:F2}x, p99 {mwResult.P99 / rawResult.P99:F2}x, throughput {rawResult.CallsPerSecond / mwResult.CallsPerSecond:F2}x"));
        }

        return 0;
    }

    private static void Print(string target, int clients, Result r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target,-15} {clients,7} {r.P50,11:F1} {r.P99,11:F1} {r.CallsPerSecond,12:F0} {r.BytesPerCall,12:F0}"));

    private static async Task<List<LineClient>> ConnectAsync(string pipeName, int clientCount, bool hello)
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

        return clients;
    }

    private static async Task<(List<long>[] Latencies, TimeSpan Elapsed, long Allocated)> RunAsync(List<LineClient> clients, TimeSpan duration)
    {
        var latencies = clients.Select(_ => new List<long>(1 << 17)).ToArray();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
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
        var elapsed = total.Elapsed;
        return (latencies, elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    /// <summary>The latencies of every round of one target, and their total time.</summary>
    private sealed class Samples
    {
        private readonly List<long> all = [];
        private TimeSpan elapsed;
        private long allocated;

        public void Add((List<long>[] Latencies, TimeSpan Elapsed, long Allocated) run)
        {
            allocated += run.Allocated;
            foreach (var list in run.Latencies)
            {
                all.AddRange(list);
            }

            elapsed += run.Elapsed;
        }

        public Result Result()
        {
            var sorted = all.Order().ToArray();
            double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))] * 1_000_000.0 / Stopwatch.Frequency;
            return new Result(Percentile(0.50), Percentile(0.99), sorted.Length / elapsed.TotalSeconds, (double)allocated / sorted.Length);
        }
    }

    // BytesPerCall: everything this process allocated (the in-process server and the clients), per call.
    private sealed record Result(double P50, double P99, double CallsPerSecond, double BytesPerCall);
}
