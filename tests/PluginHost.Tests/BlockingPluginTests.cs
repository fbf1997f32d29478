using System.Diagnostics;
using Middleware.Contracts.Plugins;
using Middleware.Domain.Errors;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

/// <summary>
/// Security issue #18: a plugin that blocks its thread synchronously (no await, ignoring every token) in its
/// constructor, StartAsync, a call, GetReaders, StopAsync or Dispose never blocks the host. Each case uses the real
/// catalog and the real Blocking test plugin beside the Echo plugin, which must keep answering meanwhile.
/// </summary>
public sealed class BlockingPluginTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    // Room for the rest of the operation (shadow copy, loading the Echo plugin or the new version) on a busy machine.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2.5);

    public static TheoryData<string> Places => new() { "the constructor", "StartAsync", "a call", "GetReaders", "StopAsync", "Dispose" };

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
                    "GetReaders" => Task.Run(() => Assert.Equal(["echo-v1"], catalog.GetReaders().Select(r => r.Name))),
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

    private static async Task<MiddlewareException> CallAsync(PluginCatalog catalog) =>
        await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.blocking"));
}
