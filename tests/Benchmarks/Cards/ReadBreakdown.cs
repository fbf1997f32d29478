using System.Diagnostics;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// Where the time of a read goes, plugin side against raw side (medians in ms over interleaved reads): connect, the ATR
/// (the plugin side asks pcscd for it when the plugin looks at it), the APDUs, the plugin's own work (its code, the SDK
/// base, the SAM: the read's time minus what went to pcscd; and what it allocates), disconnect. Run after the measured loop, never inside it.
/// </summary>
internal sealed class ReadBreakdown(ISmartCardSystem pcsc, RawPcsc raw, string reader)
{
    public async Task<string> RunAsync(IPcscCardPlugin plugin, IReadOnlyList<Exchange> sequence, int reads, ReadOnlyMemory<byte> knownAtr)
    {
        var connect = new List<double>(reads);
        var apdus = new List<double>(reads);
        var own = new List<double>(reads);
        var disconnect = new List<double>(reads);
        var allocated = new List<double>(reads);
        var hops = 0;
        var rawConnect = new List<double>(reads);
        var rawApdus = new List<double>(reads);
        var rawDisconnect = new List<double>(reads);
        for (var i = 0; i < reads; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var connection = await pcsc.ConnectAsync(reader, SmartCardShareMode.Shared, CancellationToken.None);
            var connected = Stopwatch.GetTimestamp();
            var card = new TimedCard(connection, knownAtr);
            long read;
            try
            {
                // Every PC/SC call is synchronous, so a read completes on this thread and its allocations are this
                // thread's. One that did not complete at once really waited: its continuation hops through the pool.
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var pending = plugin.ReadAsync(card, CancellationToken.None);
                hops += pending.IsCompleted ? 0 : 1;
                await pending;
                read = Stopwatch.GetTimestamp() - connected;
                allocated.Add(GC.GetAllocatedBytesForCurrentThread() - bytes);
            }
            finally
            {
                var closing = Stopwatch.GetTimestamp();
                await connection.DisposeAsync();
                disconnect.Add(Ms(Stopwatch.GetTimestamp() - closing));
            }

            connect.Add(Ms(connected - start));
            apdus.Add(Ms(card.TransmitTicks));
            own.Add(Ms(read - card.TransmitTicks));

            var (c, a, d) = raw.TimedReplay(reader, sequence);
            rawConnect.Add(Ms(c));
            rawApdus.Add(Ms(a));
            rawDisconnect.Add(Ms(d));
        }

        return $"plugin: connect {P50(connect):0.000}, APDUs {P50(apdus):0.000}, own work {P50(own):0.000} ({P50(allocated):0} bytes allocated), disconnect {P50(disconnect):0.000}"
            + $" | raw: connect {P50(rawConnect):0.000}, APDUs {P50(rawApdus):0.000}, disconnect {P50(rawDisconnect):0.000} (ms, medians of {reads}); {hops} of {reads} plugin reads did not complete synchronously";
    }

    private static double Ms(long ticks) => Stopwatch.GetElapsedTime(0, ticks).TotalMilliseconds;

    private static double P50(List<double> values) => new Latencies(values).P50;
}
