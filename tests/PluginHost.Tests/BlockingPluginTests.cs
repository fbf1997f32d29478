using System.Diagnostics;
using Middleware.Contracts.Plugins;
using Middleware.Domain.Errors;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

/// <summary>
/// Security issue #18: a plugin that blocks its thread synchronously (no await, ignoring every token) in its
/// constructor, StartAsync, a call, GetTerminals, StopAsync or Dispose never blocks the host. Each case uses the real
/// catalog and the real Blocking test plugin beside the Echo plugin, which must keep answering meanwhile.
/// </summary>
public sealed class BlockingPluginTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    // Room for the rest of the operation (shadow copy, loading the Echo plugin or the new version) on a busy machine.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2.5);

    public static TheoryData<string> Places => new() { "the constructor", "StartAsync", "a call", "GetTerminals", "StopAsync", "Dispose" };

    [Theory]
    [MemberData(nameof(Places))]
    public async Task A_plugin_blocking_its_thread_is_Malfunctioned_within_budget_and_grace_while_another_plugin_keeps_answering(string place)
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        var folder = bed.Deploy(TestPlugins.Blocking, "blocking");
        if (place == "the constructor")
        {
            File.WriteAllText(Path.Combine(folder, "block-in-constructor"), "");
        }

        var blockIn = place switch { "a call" => "ReadCardAsync", "the constructor" => null, _ => place };
        bed.WritePlugins(
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"),
            Entry("test.blocking", "blocking", "TestPlugin.Blocking.dll", settings: new { blockIn }));
        var catalog = bed.CreateCatalog(configure: o =>
        {
            o.CallTimeout = o.StartTimeout = o.StopTimeout = Budget;
            o.CancelGrace = Grace;
            o.MalfunctionRetryDelay = TimeSpan.FromMinutes(10); // no automatic retry during the test
        });
        try
        {
            Task operation;
            var watch = Stopwatch.StartNew();
            if (place is "the constructor" or "StartAsync")
            {
                // The host starts: the Echo plugin (listed first) serves while the Blocking one blocks its load or start.
                operation = catalog.StartAsync(CancellationToken.None);
                await catalog.WaitForStatusAsync("test.echo", s => s.State == PluginState.Active);
            }
            else
            {
                await catalog.StartAsync(CancellationToken.None);
                Assert.Equal(PluginState.Active, catalog.StatusOf("test.blocking").State);
                watch.Restart();
                operation = place switch
                {
                    "a call" => CallAsync(catalog),
                    "GetTerminals" => ReadersAsync(catalog),
                    _ => catalog.ReloadAsync("test.blocking", CancellationToken.None), // stops (and disposes) the running version
                };
            }

            // The other plugin answers while the blocking one holds its thread.
            Assert.Equal("v1:y", (await catalog.EchoAsync("y")).IdSupport);
            var echoAnswered = watch.Elapsed;
            Assert.False(operation.IsCompleted, $"the operation ended before the echo call ({echoAnswered})");

            await operation.WaitAsync(CatalogTestExtensions.Patience);
            var took = watch.Elapsed;
            var status = catalog.StatusOf("test.blocking");
            output.WriteLine($"{place}: echo answered after {echoAnswered.TotalMilliseconds:0} ms; the operation returned after {took.TotalMilliseconds:0} ms; status {status.State}: {status.Reason}");

            Assert.InRange(took, Budget, Budget + Grace + Slack);
            Assert.Equal(PluginState.Malfunctioned, status.State);
            Assert.Contains(place == "a call" ? "A call" : place, status.Reason);
            Assert.Contains("blocked its thread", status.Reason);
            Assert.Contains("abandoned", status.Reason);
            var blocked = Assert.Single(catalog.GetBlockedThreads());
            Assert.Equal("test.blocking", blocked.Id);
            if (operation is Task<MiddlewareException> call)
            {
                Assert.Equal(ErrorCode.PluginTimeout, (await call).Code);
            }

            // Still serving, and the blocked plugin now fails at once instead of blocking again.
            Assert.Equal("v1:z", (await catalog.EchoAsync("z")).IdSupport);
            var again = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.blocking"));
            Assert.Equal(ErrorCode.PluginMalfunctioned, refused.Code);
            Assert.True(again.Elapsed < Budget, $"a call to the malfunctioned plugin took {again.Elapsed}");
        }
        finally
        {
            bed.ReleaseBlockingPlugin("blocking");
        }

        await catalog.WaitForNoBlockedThreadsAsync();
    }

    [Fact]
    public async Task A_call_whose_caller_gives_up_returns_at_once_and_a_plugin_still_blocking_after_the_grace_is_Malfunctioned()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.Deploy(TestPlugins.Blocking, "blocking");
        bed.WritePlugins(
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"),
            Entry("test.blocking", "blocking", "TestPlugin.Blocking.dll", settings: new { blockIn = "ReadCardAsync" }));
        var catalog = bed.CreateCatalog(configure: o =>
        {
            o.CallTimeout = TimeSpan.FromSeconds(30); // far away: the caller leaves first
            o.CancelGrace = Grace;
            o.MalfunctionRetryDelay = TimeSpan.FromMinutes(10);
        });
        try
        {
            await catalog.StartAsync(CancellationToken.None);
            using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var watch = Stopwatch.StartNew();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => catalog.EchoAsync("x", id: "test.blocking", cancellationToken: caller.Token));
            var callerFreed = watch.Elapsed;
            var status = await catalog.WaitForStatusAsync("test.blocking", s => s.State == PluginState.Malfunctioned);
            output.WriteLine($"caller freed after {callerFreed.TotalMilliseconds:0} ms; Malfunctioned after {watch.Elapsed.TotalMilliseconds:0} ms: {status.Reason}");

            // The call's own budget is 30 s and the plugin blocks for minutes: a caller freed within a few seconds of its
            // 200 ms cancellation was not held by the plugin (a tighter bound only measures the machine's load).
            Assert.True(callerFreed < TimeSpan.FromSeconds(5), $"the caller waited {callerFreed}");
            Assert.Contains("A call blocked its thread", status.Reason);
            Assert.Contains("after its caller cancelled it", status.Reason);
            Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(200) + Grace + Slack, $"Malfunctioned only after {watch.Elapsed}");
            Assert.Single(catalog.GetBlockedThreads());
            Assert.Equal("v1:y", (await catalog.EchoAsync("y")).IdSupport);
        }
        finally
        {
            bed.ReleaseBlockingPlugin("blocking");
        }

        await catalog.WaitForNoBlockedThreadsAsync();
    }

    [Fact]
    public async Task Automatic_retries_of_a_plugin_that_blocks_stop_at_MaxBlockedThreads_and_resume_when_its_threads_return()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.Deploy(TestPlugins.Blocking, "blocking");
        bed.WritePlugins(
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"),
            Entry("test.blocking", "blocking", "TestPlugin.Blocking.dll", settings: new { blockIn = "StartAsync" }));
        var retryDelay = TimeSpan.FromMilliseconds(100);
        var catalog = bed.CreateCatalog(configure: o =>
        {
            o.StartTimeout = TimeSpan.FromMilliseconds(500);
            o.CancelGrace = TimeSpan.FromMilliseconds(250);
            o.MalfunctionRetryDelay = retryDelay;
            o.MaxBlockedThreads = 2;
        });
        try
        {
            await catalog.StartAsync(CancellationToken.None);

            // The first start and one automatic retry each leave a thread blocked; then the retries stop.
            var paused = await catalog.WaitForStatusAsync("test.blocking", s => s.Reason?.Contains("Not reloaded automatically", StringComparison.Ordinal) == true);
            output.WriteLine($"paused: {paused.Reason}");
            Assert.Equal(PluginState.Malfunctioned, paused.State);
            Assert.Contains("StartAsync blocked its thread", paused.Reason);
            Assert.Contains("2 of its threads", paused.Reason);
            Assert.Equal(2, catalog.GetBlockedThreads().Count);

            // Many retry delays later, still two: nothing piles up (a negative check, so it waits a fixed time).
            await Task.Delay(retryDelay * 20);
            Assert.Equal(2, catalog.GetBlockedThreads().Count);
            Assert.Equal(paused, catalog.StatusOf("test.blocking"));
            Assert.Equal("v1:y", (await catalog.EchoAsync("y")).IdSupport);

            // The plugin's threads return (and its files no longer block): the automatic retry brings it back.
            bed.ReleaseBlockingPlugin("blocking");
            await catalog.WaitForNoBlockedThreadsAsync();
            var back = await catalog.WaitForStatusAsync("test.blocking", s => s.State == PluginState.Active);
            Assert.Null(back.Reason);
            Assert.Equal("blocking:x", (await catalog.EchoAsync("x", id: "test.blocking")).IdSupport);
        }
        finally
        {
            bed.ReleaseBlockingPlugin("blocking");
        }
    }

    [Fact]
    public async Task A_load_context_whose_code_runs_on_an_abandoned_thread_unloads_only_once_that_thread_returns()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.Blocking, "blocking");
        bed.WritePlugins(Entry("test.blocking", "blocking", "TestPlugin.Blocking.dll", settings: new { blockIn = "ReadCardAsync" }));
        var catalog = bed.CreateCatalog(configure: o =>
        {
            o.CallTimeout = Budget;
            o.CancelGrace = Grace;
            o.UnloadTimeout = TimeSpan.FromSeconds(1);
            o.MalfunctionRetryDelay = TimeSpan.FromMinutes(10);
        });
        try
        {
            await catalog.StartAsync(CancellationToken.None);
            var context = await catalog.CaptureContextAsync("test.blocking");

            var error = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.blocking"));
            Assert.Equal(ErrorCode.PluginTimeout, error.Code);

            // Stopped and unloaded by the host, but its code still runs on the abandoned thread: the proof fails.
            var deadline = DateTime.UtcNow + CatalogTestExtensions.Patience;
            while (catalog.GetUnloadHistory().Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            var proof = Assert.Single(catalog.GetUnloadHistory(), r => r.Id == "test.blocking");
            Assert.False(proof.Unloaded);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.True(context.IsAlive);

            bed.ReleaseBlockingPlugin("blocking");
            await catalog.WaitForNoBlockedThreadsAsync();
            await CatalogTestExtensions.AssertCollectedAsync(context);
        }
        finally
        {
            bed.ReleaseBlockingPlugin("blocking");
        }
    }

    private static async Task ReadersAsync(PluginCatalog catalog) =>
        Assert.Equal(["echo-v1"], (await catalog.GetTerminalsAsync(CancellationToken.None)).Select(r => r.Name));

    private static async Task<MiddlewareException> CallAsync(PluginCatalog catalog) =>
        await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.blocking"));
}
