using System.Collections.Concurrent;
using System.Diagnostics;
using Middleware.Client;
using Middleware.Contracts.Plugins;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

/// <summary>
/// The issue's hot-reload proof seen from the tills: a real pipe server and the real plugin host, 8 tills on their
/// own pipe connections calling a reader plugin without pause while an operator copies v2 over v1's folder.
/// </summary>
public sealed class PipeHotReloadTests(ITestOutputHelper output)
{
    private const int Tills = 8;

    // Enough calls on each side of the swap that every till has really worked against both versions.
    private const int CallsBeforeSwap = 400;
    private const int CallsAfterSwap = 400;
    private const int CallsPerTill = 20;

    private readonly record struct Call(long Start, long End, string? Answer, string? Error);

    [Fact]
    public async Task Copying_v2_over_v1_while_8_pipe_clients_call_it_loses_no_call_serves_v2_after_the_swap_and_unloads_v1()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        await using var middleware = await PipeTestMiddleware.StartAsync(bed, watchForChanges: true, callTimeout: TimeSpan.FromSeconds(10));
        var tills = new List<MiddlewareClient>();
        try
        {
            for (var i = 0; i < Tills; i++)
            {
                tills.Add(await middleware.ConnectTillAsync($"till {i}"));
            }

            var echo = await tills[0].StatusOfAsync("test.echo");
            Assert.Equal(("Active", "1.0.0"), (echo.State, echo.Version));
            Assert.Equal("v1:c0", await tills[0].ReadCardAsync("c0"));
            var v1Context = await middleware.Catalog.CaptureContextAsync("test.echo");

            // The moment v2 serves, from the host's own status event (published after v2 is active, before the
            // reload gate opens): any call a till starts after it must get v2.
            long swapped = 0;
            void OnStatus(object? sender, PluginStatusInfo s)
            {
                if (s is { Id: "test.echo", State: PluginState.Active, Version: "2.0.0" })
                {
                    Interlocked.CompareExchange(ref swapped, Stopwatch.GetTimestamp(), 0);
                }
            }

            middleware.Control.StatusChanged += OnStatus;
            var v1Calls = new int[Tills];
            var v2Calls = new int[Tills];
            using var stop = new CancellationTokenSource();
            var callers = tills.Select((till, i) => Task.Run(async () =>
            {
                var calls = new List<Call>();
                while (!stop.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        var answer = await till.ReadCardAsync($"c{i}");
                        calls.Add(new Call(start, Stopwatch.GetTimestamp(), answer, null));
                        if (answer == $"v1:c{i}")
                        {
                            Interlocked.Increment(ref v1Calls[i]);
                        }
                        else if (answer == $"v2:c{i}")
                        {
                            Interlocked.Increment(ref v2Calls[i]);
                        }
                    }
                    catch (Exception ex)
                    {
                        calls.Add(new Call(start, Stopwatch.GetTimestamp(), null, $"{ex.GetType().Name}: {ex.Message}"));
                    }
                }

                return calls;
            })).ToArray();

            await WaitUntilAsync(() => Enough(v1Calls, CallsBeforeSwap));

            // The operator copies v2's files over the plugin's folder; the file watcher does the rest.
            var deployed = Stopwatch.GetTimestamp();
            bed.Deploy(TestPlugins.EchoV2, "echo");
            var status = await middleware.Catalog.WaitForStatusAsync("test.echo", s => s is { State: PluginState.Active, Version: "2.0.0" });
            await WaitUntilAsync(() => Enough(v2Calls, CallsAfterSwap));
            await stop.CancelAsync();
            var perTill = await Task.WhenAll(callers).WaitAsync(CatalogTestExtensions.Patience);
            middleware.Control.StatusChanged -= OnStatus;

            var swapAt = Interlocked.Read(ref swapped);
            Assert.NotEqual(0, swapAt);
            var all = perTill.SelectMany(c => c).ToArray();
            var failed = all.Where(c => c.Error is not null).ToArray();
            var afterSwap = all.Where(c => c.Start > swapAt).ToArray();
            var duringSwap = all.Where(c => c.Start >= deployed && c.Start <= swapAt).ToArray();
            var spanningSwap = all.Count(c => c.Start < swapAt && c.End > swapAt);
            output.WriteLine($"{all.Length} calls by {Tills} tills over the pipe: {failed.Length} failed; {all.Count(c => c.Answer?.StartsWith("v1:", StringComparison.Ordinal) == true)} answered by v1, {all.Count(c => c.Answer?.StartsWith("v2:", StringComparison.Ordinal) == true)} by v2");
            output.WriteLine($"{duringSwap.Length} calls started between the copy of v2 and v2 serving ({spanningSwap} in flight when it began serving, max {(duringSwap.Length == 0 ? 0 : duringSwap.Max(c => Stopwatch.GetElapsedTime(c.Start, c.End).TotalMilliseconds)):0} ms); {afterSwap.Length} started after");
            foreach (var f in failed.Take(10))
            {
                output.WriteLine("failed: " + f.Error);
            }

            // Zero failed calls, before, during and after the swap.
            Assert.Empty(failed);
            Assert.True(spanningSwap > 0, "No call was in flight when v2 began serving: the test did not exercise the swap.");
            for (var i = 0; i < Tills; i++)
            {
                var mine = perTill[i];
                Assert.All(mine, c => Assert.True(c.Answer == $"v1:c{i}" || c.Answer == $"v2:c{i}", $"till {i}: unexpected answer {c.Answer}"));

                // Once a till has seen v2 it never sees v1 again, and every call it started after the swap is v2's.
                var firstV2 = mine.FindIndex(c => c.Answer == $"v2:c{i}");
                Assert.True(firstV2 > 0, $"till {i} never saw v2, or never v1");
                Assert.All(mine.Skip(firstV2), c => Assert.Equal($"v2:c{i}", c.Answer));
                // A till's calls are sequential, so at most one of its v2 answers started before the swap.
                Assert.True(mine.Count(c => c.Start > swapAt) >= CallsPerTill - 1, $"till {i} made only {mine.Count(c => c.Start > swapAt)} calls after the swap");
            }

            Assert.All(afterSwap, c => Assert.StartsWith("v2:", c.Answer));
            Assert.Null(status.Reason);

            // What a till sees afterwards: v2 serving, and v1's load context collected.
            Assert.Equal("v2:after", await tills[3].ReadCardAsync("after"));
            await CatalogTestExtensions.AssertCollectedAsync(v1Context);
            await middleware.Catalog.WaitForUnloadProofsAsync();
            Assert.Contains(middleware.Control.GetUnloadHistory(), r => r is { Id: "test.echo", Version: "1.0.0", Unloaded: true });
            var statuses = await tills[5].GetPluginStatusAsync();
            var single = Assert.Single(statuses);
            Assert.Equal(("test.echo", "Active", "2.0.0"), (single.Id, single.State, single.Version));
            Assert.Null(single.Reason);
        }
        finally
        {
            foreach (var till in tills)
            {
                await till.DisposeAsync();
            }
        }
    }

    // Every till has made CallsPerTill such calls, and all together at least total.
    private static bool Enough(int[] perTill, int total)
    {
        var counts = Enumerable.Range(0, perTill.Length).Select(i => Volatile.Read(ref perTill[i])).ToArray();
        return counts.All(n => n >= CallsPerTill) && counts.Sum() >= total;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + CatalogTestExtensions.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException("Condition not met in time.");
            }

            await Task.Delay(25);
        }
    }
}
