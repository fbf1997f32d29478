using System.Collections.Concurrent;
using Middleware.Contracts.Plugins;
using Middleware.Domain.Errors;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

/// <summary>Hot reload through real files, a real file watcher and real assemblies.</summary>
public sealed class HotReloadTests(ITestOutputHelper output)
{
    private const int Callers = 8;

    [Fact]
    public async Task Replacing_v1_by_v2_under_8_concurrent_callers_loses_no_call_and_unloads_v1()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog(configure: o => o.WatchForChanges = true);
        await catalog.StartAsync(CancellationToken.None);
        Assert.Equal("1.0.0", catalog.StatusOf("test.echo").Version);
        var v1Context = await catalog.CaptureContextAsync("test.echo");

        var errors = new ConcurrentQueue<string>();
        var v1Calls = 0;
        var v2Calls = 0;
        var enoughV1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enoughV2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
        {
            var seenV2 = false;
            var v1AfterV2 = 0;
            var calls = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var id = (await catalog.EchoAsync($"c{i}")).IdSupport;
                    calls++;
                    if (id == $"v2:c{i}")
                    {
                        seenV2 = true;
                        if (Interlocked.Increment(ref v2Calls) >= 400)
                        {
                            enoughV2.TrySetResult();
                        }
                    }
                    else if (id == $"v1:c{i}")
                    {
                        v1AfterV2 += seenV2 ? 1 : 0;
                        if (Interlocked.Increment(ref v1Calls) >= 400)
                        {
                            enoughV1.TrySetResult();
                        }
                    }
                    else
                    {
                        errors.Enqueue($"caller {i}: unexpected answer {id}");
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue($"caller {i}: {ex.GetType().Name}: {ex.Message}");
                }
            }

            return (Calls: calls, SeenV2: seenV2, V1AfterV2: v1AfterV2);
        })).ToArray();

        await enoughV1.Task.WaitAsync(CatalogTestExtensions.Patience);
        bed.Deploy(TestPlugins.EchoV2, "echo");
        var status = await catalog.WaitForStatusAsync("test.echo", s => s.State == PluginState.Active && s.Version == "2.0.0");
        await enoughV2.Task.WaitAsync(CatalogTestExtensions.Patience);
        await stop.CancelAsync();
        var results = await Task.WhenAll(callers);

        output.WriteLine($"calls: {results.Sum(r => r.Calls)} ({v1Calls} v1, {v2Calls} v2)");
        Assert.Empty(errors);
        Assert.Null(status.Reason);
        Assert.All(results, r => Assert.True(r.SeenV2));
        Assert.All(results, r => Assert.Equal(0, r.V1AfterV2));
        Assert.Equal("v2:after", (await catalog.EchoAsync("after")).IdSupport);
        await CatalogTestExtensions.AssertCollectedAsync(v1Context);
        await catalog.WaitForUnloadProofsAsync();
        Assert.Contains(catalog.GetUnloadHistory(), r => r.Id == "test.echo" && r.Version == "1.0.0" && r.Unloaded);
        Assert.DoesNotContain(catalog.GetStatuses(), s => s.State == PluginState.Superseded);
    }

    [Fact]
    public async Task A_half_copied_assembly_never_replaces_the_working_version_and_the_status_says_why()
    {
        await using var bed = new PluginTestBed(output);
        var folder = bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog(configure: o => o.WatchForChanges = true);
        await catalog.StartAsync(CancellationToken.None);

        var v2 = await File.ReadAllBytesAsync(Path.Combine(TestPlugins.OutputOf(TestPlugins.EchoV2), "TestPlugin.Echo.dll"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "TestPlugin.Echo.dll"), v2[..(v2.Length / 2)]);

        var rejected = await catalog.WaitForStatusAsync("test.echo", s => s.Reason is not null);
        Assert.Equal(PluginState.Active, rejected.State);
        Assert.Equal("1.0.0", rejected.Version);
        Assert.Contains("Version 1.0.0 keeps serving; the new files were rejected", rejected.Reason);
        Assert.Contains("BadImageFormatException", rejected.Reason);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);

        // The copy completes: the new version goes in and the reason goes away.
        await File.WriteAllBytesAsync(Path.Combine(folder, "TestPlugin.Echo.dll"), v2);
        var swapped = await catalog.WaitForStatusAsync("test.echo", s => s.Version == "2.0.0");
        Assert.Equal(PluginState.Active, swapped.State);
        Assert.Null(swapped.Reason);
        Assert.Equal("v2:x", (await catalog.EchoAsync("x")).IdSupport);
    }

    [Fact]
    public async Task A_new_version_that_fails_to_start_is_rolled_back_to_the_old_one()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.Throwing, "throwing");
        bed.WritePlugins(Entry("test.throwing", "throwing", "TestPlugin.Throwing.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);
        Assert.Equal(PluginState.Active, catalog.StatusOf("test.throwing").State);

        // Same files, new settings that make StartAsync throw: the old settings keep serving.
        bed.WritePlugins(Entry("test.throwing", "throwing", "TestPlugin.Throwing.dll", settings: new { throwOnStart = true }));
        await catalog.ApplyConfigurationAsync(CancellationToken.None);

        var status = catalog.StatusOf("test.throwing");
        Assert.Equal(PluginState.Active, status.State);
        Assert.Contains("failed to start: StartAsync threw InvalidOperationException", status.Reason);
        Assert.Equal(new[] { "test.throwing" }, catalog.ActivePlugins<IPlugin>());
    }

    [Fact]
    public async Task Editing_plugins_json_disables_enables_and_changes_settings_live()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", settings: new { prefix = "a-" }));
        var catalog = bed.CreateCatalog(configure: o => o.WatchForChanges = true);
        await catalog.StartAsync(CancellationToken.None);
        Assert.Equal("v1:a-x", (await catalog.EchoAsync("x")).IdSupport);
        var first = await catalog.CaptureContextAsync("test.echo");

        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", enabled: false, settings: new { prefix = "a-" }));
        await catalog.WaitForStatusAsync("test.echo", s => s.State == PluginState.Disabled);
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x"));
        Assert.Equal(ErrorCode.PluginUnavailable, ex.Code);
        Assert.Contains("Disabled", ex.Message);
        await CatalogTestExtensions.AssertCollectedAsync(first);

        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", settings: new { prefix = "a-" }));
        await catalog.WaitForStatusAsync("test.echo", s => s.State == PluginState.Active);
        Assert.Equal("v1:a-x", (await catalog.EchoAsync("x")).IdSupport);

        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", settings: new { prefix = "b-" }));
        await WaitForAnswerAsync(catalog, "x", "v1:b-x");

        // Removing it from the file removes it from the catalog.
        bed.WritePlugins();
        await WaitUntilAsync(() => catalog.GetStatuses().Count == 0);
        var gone = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x"));
        Assert.Equal(ErrorCode.PluginUnavailable, gone.Code);
    }

    [Fact]
    public async Task A_plugin_whose_folder_appears_later_is_loaded_when_it_does()
    {
        await using var bed = new PluginTestBed(output);
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog(configure: o => o.WatchForChanges = true);
        await catalog.StartAsync(CancellationToken.None);
        Assert.Equal(PluginState.NotSupported, catalog.StatusOf("test.echo").State);

        // Deploy into a new folder, then move it into place (deploy-to-new-folder-and-swap).
        bed.Deploy(TestPlugins.EchoV1, "echo.new");
        Directory.Move(Path.Combine(bed.Root, "echo.new"), Path.Combine(bed.Root, "echo"));

        await catalog.WaitForStatusAsync("test.echo", s => s.State == PluginState.Active);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);
    }

    private static async Task WaitForAnswerAsync(PluginCatalog catalog, string reader, string expected)
    {
        string? last = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                last = (await catalog.EchoAsync(reader)).IdSupport;
            }
            catch (MiddlewareException ex)
            {
                last = ex.Message;
            }

            return last == expected;
        }, () => $"last answer: {last}");
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()), null);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string>? describe)
    {
        var deadline = DateTime.UtcNow + CatalogTestExtensions.Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException("Condition not met in time. " + describe?.Invoke());
            }

            await Task.Delay(25);
        }
    }
}
