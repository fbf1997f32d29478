using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Middleware.Pipe.Tests.Server;

/// <summary>
/// A client that pipelines calls and never reads its answers is slowed down, then disconnected: at most
/// Pipe:MaxInFlightPerConnection calls in flight and Pipe:MaxPendingOutputBytes of unread answers (460,000 such calls took
/// the host from 248 to 1,820 MiB when it read and answered them without limit).
/// </summary>
[Collection(MemoryMeasuredCollection.Name)]
public sealed class BackpressureTests(ITestOutputHelper output)
{
    private const string Hello = """{"jsonrpc":"2.0","id":"h","method":"hello","params":{"pointOfSale":"1-1-1-1-1"}}""";

    [Fact]
    public async Task A_client_that_never_reads_is_no_longer_read_the_host_stays_bounded_and_other_tills_are_served()
    {
        await using var harness = await PipeServerHarness.StartAsync();
        await using var till = await harness.ConnectAsync(PipeServerHarness.PosB);
        await till.PingAsync();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;

        await using var greedy = await harness.ConnectRawAsync();
        await greedy.CallAsync(Hello);
        var connection = Assert.Single(harness.Server.Connections, c => c.Till?.PointOfSale.ToString() == PipeServerHarness.PosA);
        long sent = 0;
        const long Calls = 2_000_000;
        var writer = Task.Run(async () =>
        {
            var batch = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"ping\"}}\n")));
            for (long i = 0; i < Calls / 1000; i++)
            {
                await greedy.Stream.WriteAsync(batch);
                Interlocked.Add(ref sent, 1000);
            }
        });

        // The sender stalls because the host stopped reading it: every in-flight slot waits for the unread output.
        var stalledAt = await WaitForStallAsync(() => Interlocked.Read(ref sent), () => connection.InFlight.Count == 32, TimeSpan.FromSeconds(90));
        var readByHost = connection.ScannedBytes;
        output.WriteLine($"at the stall: {stalledAt:N0} calls sent, {readByHost:N0} bytes read by the host, {connection.InFlight.Count} in flight");
        Assert.False(writer.IsCompleted, "the host read every call of a client that reads no answer");

        // Another till is served meanwhile.
        for (var i = 0; i < 20; i++)
        {
            await till.PingAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(readByHost, connection.ScannedBytes); // still not read
        Assert.Equal(32, connection.InFlight.Count);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var rssAfter = Process.GetCurrentProcess().WorkingSet64;
        output.WriteLine($"sender stalled after {stalledAt:N0} calls; managed heap {heapBefore / 1048576.0:0.0} -> {heapAfter / 1048576.0:0.0} MiB, RSS {rssBefore / 1048576.0:0} -> {rssAfter / 1048576.0:0} MiB, in flight {connection.InFlight.Count}");
        Assert.True(stalledAt < Calls / 4, $"{stalledAt} calls were taken before the sender was slowed");
        Assert.True(heapAfter - heapBefore < 48L * 1024 * 1024, $"the managed heap grew by {(heapAfter - heapBefore) / 1048576.0:0.0} MiB");
    }

    [Fact]
    public async Task A_client_that_leaves_its_answers_unread_past_the_write_timeout_is_disconnected()
    {
        await using var harness = await PipeServerHarness.StartAsync(s =>
        {
            s["Pipe:WriteTimeout"] = "00:00:01";
            s["Pipe:MaxPendingOutputBytes"] = "65536";
        });
        await using var till = await harness.ConnectAsync(PipeServerHarness.PosB);
        await using var greedy = await harness.ConnectRawAsync();
        await greedy.CallAsync(Hello);
        var writer = Task.Run(async () =>
        {
            var batch = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"ping\"}}\n")));
            for (var i = 0; i < 100_000; i++)
            {
                await greedy.Stream.WriteAsync(batch);
            }
        });

        // Its writes fail once the host closed it; the host keeps only the other till.
        var failure = await Record.ExceptionAsync(() => writer.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.IsAssignableFrom<IOException>(failure);
        var deadline = Stopwatch.StartNew();
        while (harness.Server.Connections.Count > 1 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.Equal(PipeServerHarness.PosB, Assert.Single(harness.Server.Connections).Till?.PointOfSale.ToString());
        await till.PingAsync();
    }

    /// <summary>Polls <paramref name="progress"/> until it stays the same for a second while <paramref name="blocked"/>
    /// holds (a slow host under load is not a stall); its value then.</summary>
    private static async Task<long> WaitForStallAsync(Func<long> progress, Func<bool> blocked, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var last = -1L;
        var sameSince = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var now = progress();
            if (now != last)
            {
                last = now;
                sameSince.Restart();
            }
            else if (now > 0 && sameSince.Elapsed >= TimeSpan.FromSeconds(1) && blocked())
            {
                return now;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the sender was never slowed down ({last} calls sent)");
    }
}
