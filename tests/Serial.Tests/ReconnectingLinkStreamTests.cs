using Middleware.Tests.Serial;
using System.Diagnostics;
using Middleware.Contracts.Readers;
using Middleware.Serial.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Middleware.Serial.Tests;

/// <summary>The stream plugins get, across unplug and replug of a real pty pair, cancellation and dispose.</summary>
public sealed class ReconnectingLinkStreamTests(ITestOutputHelper output)
{
    [SocatFact]
    public async Task Unplug_fails_the_read_in_flight_and_the_same_stream_works_after_replug()
    {
        using var pair = SocatPtyPair.Start();
        await using var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        var sim = pair.OpenSim();
        await sim.WriteAsync(new byte[] { 1, 2, 3 }, TestLinks.Token());
        Assert.Equal([1, 2, 3], await TestLinks.ReadExactlyAsync(link, 3));

        var inFlight = link.ReadAsync(new byte[16], TestLinks.Token()).AsTask();
        Assert.False(inFlight.IsCompleted); // queued on the port (ReadAsync queues it before returning)
        var elapsed = Stopwatch.StartNew();
        pair.Unplug();
        var lost = await Assert.ThrowsAsync<IOException>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(5)));
        var lostAfter = elapsed.Elapsed;
        Assert.True(lostAfter < TimeSpan.FromSeconds(2), $"the read in flight failed after {lostAfter}");
        Assert.Contains("lost", lost.Message, StringComparison.Ordinal);

        // While unplugged, a write waits (bounded by its token) instead of failing.
        using (var brief = new CancellationTokenSource(TimeSpan.FromMilliseconds(400)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => link.WriteAsync(new byte[] { 9 }, brief.Token).AsTask());
        }

        pair.Plug();
        var back = Stopwatch.StartNew();
        var request = TestLinks.Binary(300);
        await link.WriteAsync(request, TestLinks.Token()); // waits until the provider has reopened the path
        back.Stop();
        var newSim = pair.OpenSim();
        Assert.Equal(request, await TestLinks.ReadExactlyAsync(newSim, request.Length));
        await newSim.WriteAsync(new byte[] { 0x00, 0xFF, 0x7E }, TestLinks.Token());
        Assert.Equal([0x00, 0xFF, 0x7E], await TestLinks.ReadExactlyAsync(link, 3));
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(5), $"reopened after {back.Elapsed}");
        output.WriteLine($"read in flight failed {lostAfter.TotalMilliseconds:F0} ms after the unplug; write went through {back.Elapsed.TotalMilliseconds:F0} ms after the replug");
    }

    [SocatFact]
    public async Task Cancelling_a_pending_read_returns_promptly_and_leaves_the_link_usable()
    {
        using var pair = SocatPtyPair.Start();
        await using var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        var sim = pair.OpenSim();

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var elapsed = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => link.ReadAsync(new byte[16], cancel.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(1), $"cancelled read returned after {elapsed.Elapsed}");
        output.WriteLine($"read cancelled at 200 ms returned after {elapsed.Elapsed.TotalMilliseconds:F0} ms");

        await sim.WriteAsync(new byte[] { 0x42 }, TestLinks.Token());
        Assert.Equal([0x42], await TestLinks.ReadExactlyAsync(link, 1));
    }

    [SocatFact]
    public async Task Dispose_ends_a_pending_read_and_a_wait_for_reconnection()
    {
        using var pair = SocatPtyPair.Start();
        var link = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        var pending = link.ReadAsync(new byte[16], TestLinks.Token()).AsTask();
        Assert.False(pending.IsCompleted);
        await link.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));

        var second = await TestLinks.Provider().OpenAsync(pair.TetraPath, new SerialLinkSettings(), TestLinks.Token());
        var read = second.ReadAsync(new byte[16], TestLinks.Token()).AsTask();
        Assert.False(read.IsCompleted);
        pair.Unplug();
        await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(TimeSpan.FromSeconds(5)));
        var waiting = second.ReadAsync(new byte[16], TestLinks.Token()).AsTask();
        await second.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        var reconnect = ((ReconnectingLinkStream)second).ReconnectTask;
        await reconnect.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
