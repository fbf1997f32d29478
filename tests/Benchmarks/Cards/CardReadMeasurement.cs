using System.Diagnostics;
using System.Text.Json;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// Measures one technology: puts its virtual card on the reader, records the APDUs of one plugin read, checks that a raw
/// replay gets the recorded answers byte for byte, then times plugin reads and raw replays alternately.
/// </summary>
internal sealed class CardReadMeasurement(ISmartCardSystem pcsc, ISam sam, RawPcsc raw, string reader)
{
    // Tiered compilation optimises a method after 30 calls, counted only once no new method has been compiled for
    // 100 ms: a warm-up of 20 reads (about 20 ms) could leave a technology's first measured reads on unoptimised code,
    // with the background recompilation competing for the 2 cores. Warm up by count and by time.
    private const int WarmUpReads = 300;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(2);

    public async Task<CardReadResult> RunAsync(CardBenchCase benchCase, int iterations)
    {
        var card = new RecordingCard(benchCase.CreateCard());
        var plugin = benchCase.CreatePlugin();
        var settings = JsonDocument.Parse($$"""{ "readerNamePattern": "^{{reader}}$" }""").RootElement.Clone();
        await plugin.StartAsync(new BenchPluginContext(settings, sam), CancellationToken.None);
        try
        {
            await using var slot = await VpcdCardSlot.InsertAsync(card);
            await ReaderWait.UntilAsync(pcsc, reader, hasCard: true, TimeSpan.FromSeconds(30));
            // The host hands the plugin the ATR its watcher got from the reader's status (HostPcscCard).
            ReadOnlyMemory<byte> knownAtr = (await pcsc.GetStatusAsync(CancellationToken.None)).First(s => s.ReaderName == reader).Atr.ToArray();

            // What the host does for each card it hands to the plugin: connect, the plugin's read, disconnect.
            async Task ReadOnceAsync()
            {
                CardIdentity identity;
                await using (var connection = await pcsc.ConnectAsync(reader, SmartCardShareMode.Shared, CancellationToken.None))
                {
                    identity = await plugin.ReadAsync(new BenchCard(connection, knownAtr), CancellationToken.None);
                }

                if (identity.IdSupport != benchCase.ExpectedIdSupport || identity.Technology != benchCase.ExpectedTechnology)
                {
                    throw new InvalidOperationException($"{benchCase.Name}: the plugin read another card number or technology ({identity.Technology}) than the one personalised.");
                }
            }

            await ReadOnceAsync();
            card.Recording = true;
            await ReadOnceAsync();
            card.Recording = false;
            var sequence = card.Recorded.ToArray();
            Console.WriteLine($"{benchCase.Name}: one read is {sequence.Length} APDUs (INS {string.Join(" ", sequence.Select(a => a.Command[1].ToString("X2")))})");

            // Twice: the second replay proves the card gives the same answers again (fixed randomness), not just once.
            raw.Replay(reader, sequence, verify: true);
            raw.Replay(reader, sequence, verify: true);
            Console.WriteLine($"{benchCase.Name}: raw replay answers identical to the recording; one replay step by step (ms): {raw.Breakdown(reader, sequence)}");

            var warmUp = Stopwatch.GetTimestamp();
            for (var i = 0; i < WarmUpReads || Stopwatch.GetElapsedTime(warmUp) < WarmUpTime; i++)
            {
                await ReadOnceAsync();
                raw.Replay(reader, sequence, verify: false);
            }

            // One plugin read then one raw replay, alternately: on 2 shared cores, a burst of other work (a build next door)
            // then lands on both sides alike instead of on one side's block, which is what p99 compares.
            var pluginTimes = new List<double>(iterations);
            var rawTimes = new List<double>(iterations);
            var collections = GC.CollectionCount(0);
            for (var i = 0; i < iterations; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await ReadOnceAsync();
                pluginTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);

                start = Stopwatch.GetTimestamp();
                raw.Replay(reader, sequence, verify: false);
                rawTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            collections = GC.CollectionCount(0) - collections;
            var breakdown = await new ReadBreakdown(pcsc, raw, reader).RunAsync(plugin, sequence, Math.Min(iterations, 300), knownAtr);
            Console.WriteLine($"{benchCase.Name}: where the time goes: {breakdown}; {collections} gen0 GCs during the {iterations} measured pairs");

            // The last replay checked again: the card still answers as recorded after the whole run.
            raw.Replay(reader, sequence, verify: true);
            await slot.RemoveAsync();
            await ReaderWait.UntilAsync(pcsc, reader, hasCard: false, TimeSpan.FromSeconds(30));
            return new CardReadResult(benchCase.Name, sequence.Length, new Latencies(pluginTimes), new Latencies(rawTimes));
        }
        finally
        {
            await plugin.StopAsync(CancellationToken.None);
        }
    }
}
