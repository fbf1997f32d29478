using Middleware.Contracts;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

public sealed class PluginCatalogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Loads_an_enabled_plugin_routes_calls_and_gives_it_settings_and_the_card_event_sink()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll", settings: new { prefix = "p-" }));
        var catalog = bed.CreateCatalog();
        var events = new RecordingSink();
        using var subscription = bed.Hub!.Subscribe(events);

        await catalog.StartAsync(CancellationToken.None);

        var status = catalog.StatusOf("test.echo");
        Assert.Equal(PluginState.Active, status.State);
        Assert.Equal("1.0.0", status.Version);
        Assert.Null(status.Reason);
        Assert.Equal(Path.Combine(bed.Root, "echo"), status.Folder);
        Assert.Equal("v1:p-abc", (await catalog.EchoAsync("abc")).IdSupport);
        Assert.Equal(new[] { "test.echo" }, catalog.ActivePlugins<ITerminalPlugin>());
        var reader = Assert.Single((await catalog.GetTerminalsAsync(CancellationToken.None)));
        Assert.Equal("echo-v1", reader.Name);

        await catalog.EchoAsync("tap");
        Assert.Equal(new[] { "readers:test.echo", "tapped:v1:p-tap" }, events.Snapshot());
    }

    [Fact]
    public async Task A_contract_exception_from_a_call_is_an_answer_not_a_malfunction()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        Assert.Equal(CardReadError.NotAnIzlyCard, await ReadErrorAsync(catalog));
        Assert.Equal(PluginState.Active, catalog.StatusOf("test.echo").State);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);
    }

    // The exception's stack trace pins the plugin's context while it lives: keep it out of the test's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<CardReadError> ReadErrorAsync(PluginCatalog catalog) =>
        (await Assert.ThrowsAsync<CardReadException>(() => catalog.EchoAsync("not-izly"))).Error;

    [Fact]
    public async Task Unknown_disabled_and_wrong_type_calls_fail_with_PluginUnavailable()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.Deploy(TestPlugins.WrongContract, "other");
        bed.WritePlugins(
            Entry("test.echo", "echo", "TestPlugin.Echo.dll", enabled: false),
            Entry("test.wrongcontract", "other", "TestPlugin.WrongContract.dll", enabled: false));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        Assert.Equal(PluginState.Disabled, catalog.StatusOf("test.echo").State);
        var disabled = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x"));
        Assert.Equal(ErrorCode.PluginUnavailable, disabled.Code);
        var unknown = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "nope"));
        Assert.Equal(ErrorCode.PluginUnavailable, unknown.Code);
        Assert.Empty((await catalog.GetTerminalsAsync(CancellationToken.None)));
        Assert.Empty(catalog.ActivePlugins<IPlugin>());
    }

    [Fact]
    public async Task A_plugin_built_for_another_contract_version_is_NotSupported()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.WrongContract, "wrong");
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(
            Entry("test.wrongcontract", "wrong", "TestPlugin.WrongContract.dll"),
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        var status = catalog.StatusOf("test.wrongcontract");
        Assert.Equal(PluginState.NotSupported, status.State);
        Assert.Contains($"Built for contract {ContractInfo.Major + 1}.0", status.Reason);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);
    }

    [Fact]
    public async Task Missing_folder_missing_assembly_non_assembly_and_id_mismatch_are_NotSupported_with_a_reason()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        Directory.CreateDirectory(Path.Combine(bed.Root, "junk"));
        await File.WriteAllTextAsync(Path.Combine(bed.Root, "junk", "Junk.dll"), "this is not an assembly");
        bed.WritePlugins(
            Entry("a.missing-folder", "nowhere", "X.dll"),
            Entry("b.missing-assembly", "echo", "Nope.dll"),
            Entry("c.junk", "junk", "Junk.dll"),
            Entry("d.mismatch", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        var statuses = catalog.GetStatuses();
        Assert.Equal(new[] { "a.missing-folder", "b.missing-assembly", "c.junk", "d.mismatch" }, statuses.Select(s => s.Id));
        Assert.All(statuses, s => Assert.Equal(PluginState.NotSupported, s.State));
        Assert.Contains("does not exist", statuses[0].Reason);
        Assert.Contains("Nope.dll' not found", statuses[1].Reason);
        Assert.Contains("BadImageFormatException", statuses[2].Reason);
        Assert.Contains("plugins.json lists it as 'd.mismatch'", statuses[3].Reason);
    }

    [Fact]
    public async Task A_plugin_that_throws_while_starting_is_Malfunctioned_and_the_others_keep_serving()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.Throwing, "throwing");
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(
            Entry("test.throwing", "throwing", "TestPlugin.Throwing.dll", settings: new { throwOnStart = true }),
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        var status = catalog.StatusOf("test.throwing");
        Assert.Equal(PluginState.Malfunctioned, status.State);
        Assert.Contains("StartAsync threw InvalidOperationException: Start failed on purpose.", status.Reason);
        var call = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.throwing"));
        Assert.Equal(ErrorCode.PluginMalfunctioned, call.Code);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);

        // The failed instance was stopped and its context proven unloaded.
        await catalog.WaitForUnloadProofsAsync();
        Assert.Contains(catalog.GetUnloadHistory(), r => r.Id == "test.throwing" && r.Unloaded);
    }

    [Fact]
    public async Task A_plugin_that_throws_on_a_call_is_Malfunctioned_unloaded_and_the_others_keep_serving()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.Throwing, "throwing");
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(
            Entry("test.throwing", "throwing", "TestPlugin.Throwing.dll"),
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);
        Assert.Equal(PluginState.Active, catalog.StatusOf("test.throwing").State);
        var context = await catalog.CaptureContextAsync("test.throwing");

        var first = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.throwing"));

        Assert.Equal(ErrorCode.PluginMalfunctioned, first.Code);
        Assert.Contains("Call failed on purpose.", first.Message);
        var status = catalog.StatusOf("test.throwing");
        Assert.Equal(PluginState.Malfunctioned, status.State);
        Assert.Contains("A call threw InvalidOperationException", status.Reason);
        var second = await Assert.ThrowsAsync<MiddlewareException>(() => catalog.EchoAsync("x", id: "test.throwing"));
        Assert.Equal(ErrorCode.PluginMalfunctioned, second.Code);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);
        await CatalogTestExtensions.AssertCollectedAsync(context);
    }

    [Fact]
    public async Task A_call_that_hangs_past_the_timeout_fails_with_PluginTimeout_and_marks_the_plugin_Malfunctioned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T10:00:00Z"));
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.Hanging, "hanging");
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(
            Entry("test.hanging", "hanging", "TestPlugin.Hanging.dll"),
            Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog(time, o => o.CallTimeout = TimeSpan.FromSeconds(5));
        await catalog.StartAsync(CancellationToken.None);
        var context = await catalog.CaptureContextAsync("test.hanging");

        var call = catalog.EchoAsync("x", id: "test.hanging");
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(call.IsCompleted);
        Assert.Equal("v1:y", (await catalog.EchoAsync("y")).IdSupport);
        var budgetEnd = time.GetUtcNow() + TimeSpan.FromSeconds(0.1);
        time.Advance(TimeSpan.FromSeconds(0.1));

        // The budget ran out and its token was cancelled; the plugin ignores it, so the cancel grace (2 s) runs out too.
        // The grace's timer is set after the cancellation, asynchronously: advance in small steps until the call ends.
        for (var step = 0; step < 100 && !call.IsCompleted; step++)
        {
            await Task.Delay(20);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorCode.PluginTimeout, ex.Code);
        var status = catalog.StatusOf("test.hanging");
        Assert.Equal(PluginState.Malfunctioned, status.State);
        Assert.Contains("ignored its cancellation for 2 s after its 5 s budget", status.Reason);
        Assert.InRange(status.Since, budgetEnd + TimeSpan.FromSeconds(2), time.GetUtcNow());
        Assert.Equal("v1:z", (await catalog.EchoAsync("z")).IdSupport);

        // Stopping it released the hung call, so its context unloads too.
        await CatalogTestExtensions.AssertCollectedAsync(context);
    }

    [Fact]
    public async Task A_plugin_whose_start_hangs_past_the_start_timeout_is_Malfunctioned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T10:00:00Z"));
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.Hanging, "hanging");
        bed.WritePlugins(Entry("test.hanging", "hanging", "TestPlugin.Hanging.dll", settings: new { hangOnStart = true }));
        var catalog = bed.CreateCatalog(time, o => o.StartTimeout = TimeSpan.FromSeconds(15));

        var start = catalog.StartAsync(CancellationToken.None);
        Assert.False(start.IsCompleted);

        // Loading and StartAsync run on the plugin's own threads, so the host's timers are set asynchronously: advance
        // in small steps until the start (15 s, then the 2 s cancel grace) is over.
        for (var step = 0; step < 200 && !start.IsCompleted; step++)
        {
            await Task.Delay(20);
            time.Advance(TimeSpan.FromMilliseconds(250));
        }

        await start.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(time.GetUtcNow() - DateTimeOffset.Parse("2026-11-26T10:00:00Z"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));

        var status = catalog.StatusOf("test.hanging");
        Assert.Equal(PluginState.Malfunctioned, status.State);
        Assert.Contains("15 s start timeout", status.Reason);
    }

    [Fact]
    public async Task Stop_unloads_every_plugin_and_proves_it()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);
        var context = await catalog.CaptureContextAsync("test.echo");

        await catalog.StopAsync(CancellationToken.None);

        Assert.Contains(catalog.GetUnloadHistory(), r => r.Id == "test.echo" && r.Version == "1.0.0" && r.Unloaded);
        Assert.False(context.IsAlive);
        Assert.False(Directory.Exists(Path.Combine(bed.Root, ".shadow", "test.echo")) &&
                     Directory.EnumerateDirectories(Path.Combine(bed.Root, ".shadow", "test.echo")).Any());
    }

    [Fact]
    public async Task A_broken_plugins_json_keeps_the_current_plugins()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var catalog = bed.CreateCatalog();
        await catalog.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(bed.PluginsFile, "{ \"plugins\": [ { \"id\": ");
        await catalog.ApplyConfigurationAsync(CancellationToken.None);

        Assert.Equal(PluginState.Active, catalog.StatusOf("test.echo").State);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);
    }
}
