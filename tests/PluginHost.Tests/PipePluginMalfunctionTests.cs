using System.Diagnostics;
using Middleware.Client;
using Middleware.Domain.Errors;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

/// <summary>
/// A broken plugin as a till sees it over the real pipe: its call fails with a stable code, <c>plugins.status</c>
/// says Malfunctioned and why, and <c>ping</c> and the other plugins keep answering, on the same connection and on
/// another till's. (PluginCatalogTests cover the same failures at the catalog level.)
/// </summary>
public sealed class PipePluginMalfunctionTests(ITestOutputHelper output)
{
    // Short, so the hanging case is quick; still far above an echo call's time over the pipe.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    public static TheoryData<string> Failures => new() { "throws on load", "throws on a call", "hangs past its call timeout", "blocks its thread in a call" };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failing_plugin_is_Malfunctioned_in_plugins_status_over_the_pipe_while_ping_and_the_other_plugins_keep_answering(string failure)
    {
        var (pluginId, expectedReason, expectedCode) = failure switch
        {
            "throws on load" => ("test.throwing", "StartAsync threw InvalidOperationException: Start failed on purpose.", ErrorCode.PluginMalfunctioned),
            "throws on a call" => ("test.throwing", "A call threw InvalidOperationException: Call failed on purpose.", ErrorCode.PluginMalfunctioned),
            "blocks its thread in a call" => ("test.blocking", "A call blocked its thread for 2 s after its 3 s budget; the thread is abandoned", ErrorCode.PluginTimeout),
            _ => ("test.hanging", "ignored its cancellation for 2 s after its 3 s budget", ErrorCode.PluginTimeout),
        };
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        if (pluginId == "test.blocking")
        {
            bed.Deploy(TestPlugins.Blocking, "bad");
            bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"),
                Entry("test.blocking", "bad", "TestPlugin.Blocking.dll", settings: new { blockIn = "ReadCardAsync" }));
        }
        else if (pluginId == "test.hanging")
        {
            bed.Deploy(TestPlugins.Hanging, "bad");
            bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"), Entry("test.hanging", "bad", "TestPlugin.Hanging.dll"));
        }
        else
        {
            bed.Deploy(TestPlugins.Throwing, "bad");
            bed.WritePlugins(
                Entry("test.echo", "echo", "TestPlugin.Echo.dll"),
                Entry("test.throwing", "bad", "TestPlugin.Throwing.dll", settings: new { throwOnStart = failure == "throws on load" }));
        }

        await using var middleware = await PipeTestMiddleware.StartAsync(bed, watchForChanges: false, CallTimeout);
        await using var cashier = await middleware.ConnectTillAsync("cashier till");
        await using var other = await middleware.ConnectTillAsync("other till");

        var before = await other.StatusOfAsync(pluginId);
        if (failure == "throws on load")
        {
            Assert.Equal("Malfunctioned", before.State);
            Assert.Contains(expectedReason, before.Reason);
        }
        else
        {
            Assert.Equal(("Active", "1.0.0"), (before.State, before.Version));
            Assert.Null(before.Reason);
        }

        // The cashier's till calls the broken plugin; meanwhile (for the hang: while it hangs) the other till's
        // ping and echo calls are answered.
        var started = Stopwatch.GetTimestamp();
        var brokenCall = cashier.ReadCardAsync("x", pluginId);
        await other.PingAsync();
        Assert.Equal("v1:y", await other.ReadCardAsync("y"));
        var othersAnswered = Stopwatch.GetElapsedTime(started);
        var error = await Assert.ThrowsAsync<MiddlewareRpcException>(() => brokenCall.WaitAsync(CatalogTestExtensions.Patience));
        var brokenFailed = Stopwatch.GetElapsedTime(started);
        output.WriteLine($"{failure}: error {error.Code} '{error.CashierMessage}' ({error.Detail}) after {brokenFailed.TotalMilliseconds:0} ms; ping and echo of the other till answered after {othersAnswered.TotalMilliseconds:0} ms");

        Assert.Equal((int)expectedCode, error.Code);
        Assert.Equal(ErrorMessages.For(expectedCode), error.CashierMessage);
        Assert.Contains(pluginId, error.Detail);
        if (expectedCode == ErrorCode.PluginTimeout)
        {
            // It really hung for the call timeout, and the other till was served before it gave up.
            Assert.True(brokenFailed >= CallTimeout - TimeSpan.FromMilliseconds(50), $"the hung call failed after only {brokenFailed}");
            Assert.True(othersAnswered < brokenFailed, "ping and echo were not answered while the plugin hung");
        }

        // Both tills see it Malfunctioned with the reason; the other plugin is untouched.
        foreach (var till in new[] { cashier, other })
        {
            var status = await till.StatusOfAsync(pluginId);
            Assert.Equal("Malfunctioned", status.State);
            Assert.Contains(expectedReason, status.Reason);
            var echo = await till.StatusOfAsync("test.echo");
            Assert.Equal(("Active", "1.0.0"), (echo.State, echo.Version));
            Assert.Null(echo.Reason);
        }

        // The cashier's connection is fine: ping and the other plugin answer; the broken plugin now fails at once
        // (it is stopped, not called again), with PluginMalfunctioned.
        await cashier.PingAsync();
        Assert.Equal("v1:z", await cashier.ReadCardAsync("z"));
        var again = Stopwatch.GetTimestamp();
        var second = await Assert.ThrowsAsync<MiddlewareRpcException>(() => cashier.ReadCardAsync("x", pluginId));
        Assert.Equal((int)ErrorCode.PluginMalfunctioned, second.Code);
        Assert.Contains("Malfunctioned", second.Detail);
        Assert.True(Stopwatch.GetElapsedTime(again) < CallTimeout, "the second call waited for the malfunctioned plugin");
        Assert.Equal("v1:w", await other.ReadCardAsync("w"));
        if (pluginId == "test.blocking")
        {
            Assert.Single(middleware.Catalog.GetBlockedThreads());
            bed.ReleaseBlockingPlugin("bad");
            await middleware.Catalog.WaitForNoBlockedThreadsAsync();
        }
    }
}
