using System.Diagnostics;
using System.Globalization;
using Middleware.Contracts.Readers;
using Middleware.Tests.Serial;
using Middleware.Tetra.Tests.Support;
using Xunit.Abstractions;

namespace Middleware.Tetra.Tests.Profile;

/// <summary>
/// The short CI profile of the tetra-read benchmark (issue #15): DemandeZDC reads through the plugin against a raw loop
/// writing and reading the same bytes on the plugin's own link stream (the host's serial link service over a socat pty,
/// the simulated terminal with a card), in interleaved blocks. The plugin must cost at most <see cref="MaxRatio"/> raw
/// loops at p50: with the 30 ms drain before every ENQ it cost about 4 (43 ms against 11 ms).
/// </summary>
public sealed class TetraReadProfileTests(ITestOutputHelper output)
{
    private const int Reads = 50;
    private const int Block = 10;
    private const int WarmUp = 10;
    private const double MaxRatio = 3.0;

    // The customer's time the reads ask for: a card present is answered at once.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    [SocatFact]
    public async Task A_card_read_through_the_plugin_costs_at_most_three_raw_loops_on_its_link_stream()
    {
        await using var bench = await TetraBench.StartAsync();
        using var deadline = new CancellationTokenSource(TetraBench.Deadline);

        // The first read gives the request the raw loop copies and the answer it must get byte for byte.
        var card = await bench.ReadAsync(ReadTimeout, deadline.Token);
        var request = Assert.Single(bench.Simulator.Requests);
        var raw = new RawConcertLoop(request, "ZDC=0" + card.SamId + card.NumeroApplicatif + card.IdSupport.PadLeft(15, '0'));

        var plugin = new List<double>(Reads);
        var loop = new List<double>(Reads);
        await PluginReadsAsync(bench, card, WarmUp, [], deadline.Token);
        await RawReadsAsync(bench, raw, WarmUp, [], deadline.Token);
        for (var done = 0; done < Reads; done += Block)
        {
            // The order turns each block: neither side always runs right after the other.
            if (done / Block % 2 == 0)
            {
                await PluginReadsAsync(bench, card, Block, plugin, deadline.Token);
                await RawReadsAsync(bench, raw, Block, loop, deadline.Token);
            }
            else
            {
                await RawReadsAsync(bench, raw, Block, loop, deadline.Token);
                await PluginReadsAsync(bench, card, Block, plugin, deadline.Token);
            }
        }

        // Every exchange of both sides reached the terminal whole, with the plugin's very request.
        var requests = bench.Simulator.Requests;
        Assert.Equal(1 + (2 * WarmUp) + (2 * Reads), requests.Count);
        Assert.All(requests, r => Assert.Equal(request, r));

        var pluginP50 = Median(plugin);
        var loopP50 = Median(loop);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Reads} reads per side, p50: plugin {pluginP50:0.000} ms, raw loop on its link stream {loopP50:0.000} ms, ratio {pluginP50 / loopP50:0.00}x (at most {MaxRatio}x); "
            + $"max: plugin {plugin.Max():0.000} ms, raw {loop.Max():0.000} ms"));
        Assert.True(
            pluginP50 <= MaxRatio * loopP50,
            string.Create(CultureInfo.InvariantCulture, $"plugin p50 {pluginP50:0.000} ms is above {MaxRatio}x the raw loop's {loopP50:0.000} ms on the same link stream"));
    }

    private static async Task PluginReadsAsync(TetraBench bench, CardIdentity card, int count, List<double> times, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var read = await bench.ReadAsync(ReadTimeout, cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Assert.Equal(card, read);
        }
    }

    private static async Task RawReadsAsync(TetraBench bench, RawConcertLoop raw, int count, List<double> times, CancellationToken cancellationToken)
    {
        var link = bench.PluginLink;
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await raw.RoundTripAsync(link, cancellationToken).WaitAsync(TetraBench.Deadline, CancellationToken.None);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static double Median(List<double> times)
    {
        var sorted = times.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
