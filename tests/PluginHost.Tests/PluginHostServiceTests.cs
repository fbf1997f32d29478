using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Xunit.Abstractions;
using static Middleware.PluginHost.Tests.PluginTestBed;

namespace Middleware.PluginHost.Tests;

public sealed class PluginHostServiceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AddPluginHost_binds_options_loads_at_host_start_and_unloads_at_host_stop()
    {
        await using var bed = new PluginTestBed(output);
        bed.Deploy(TestPlugins.EchoV1, "echo");
        bed.WritePlugins(Entry("test.echo", "echo", "TestPlugin.Echo.dll"));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = bed.Root, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PluginHost:PluginsFile"] = "plugins.json",
            ["PluginHost:CallTimeout"] = "00:00:03",
            ["PluginHost:WatchForChanges"] = "false",
            ["PluginHost:ShadowCopyDirectory"] = ".shadow",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddPluginHost(builder.Configuration);
        using var host = builder.Build();

        var catalog = host.Services.GetRequiredService<IPluginCatalog>();
        Assert.Same(catalog, host.Services.GetRequiredService<IPluginHostControl>());
        Assert.Same(host.Services.GetRequiredService<ICardEventSource>(), host.Services.GetRequiredService<IReaderEventSink>());
        var concrete = host.Services.GetRequiredService<PluginCatalog>();
        Assert.Equal(Path.Combine(bed.Root, "plugins.json"), concrete.PluginsFilePath);
        Assert.Empty(catalog.GetStatuses());

        await host.StartAsync();
        Assert.Equal(PluginState.Active, catalog.StatusOf("test.echo").State);
        Assert.Equal("v1:x", (await catalog.EchoAsync("x")).IdSupport);
        Assert.True(Directory.EnumerateDirectories(Path.Combine(bed.Root, ".shadow", "test.echo")).Any());

        await host.StopAsync();
        Assert.Contains(concrete.GetUnloadHistory(), r => r.Id == "test.echo" && r.Unloaded);
        Assert.Empty(catalog.ActivePlugins<IPlugin>());
    }

    [Fact]
    public void Plugins_see_only_the_host_services_registered_for_them()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IFakeSam, FakeSam>();
        services.AddSingleton<IOtherService, FakeSam>();
        services.AddPluginService<IFakeSam>();
        services.AddPluginService<IOtherService>();
        services.AddSingleton<string>("not for plugins");
        using var provider = services.BuildServiceProvider();
        var registry = new PluginServiceRegistry(provider, provider.GetServices<PluginServiceRegistration>().Where(r => r.ServiceType == typeof(IFakeSam)));
        var hub = new CardEventHub(Microsoft.Extensions.Logging.Abstractions.NullLogger<CardEventHub>.Instance);
        var sink = new PluginEventSink(hub, "p", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.IsType<FakeSam>(registry.Get<IFakeSam>(sink));
        Assert.Null(registry.Get<IOtherService>(sink));
        Assert.Null(registry.Get<string>(sink));
        Assert.Same(sink, registry.Get<IReaderEventSink>(sink));
    }

    [Fact]
    public void The_hub_delivers_to_every_subscriber_even_when_one_throws_and_a_closed_plugin_sink_drops_events()
    {
        var hub = new CardEventHub(Microsoft.Extensions.Logging.Abstractions.NullLogger<CardEventHub>.Instance);
        var good = new RecordingSink();
        var throwing = new ThrowingSink();
        using var s1 = hub.Subscribe(throwing);
        var s2 = hub.Subscribe(good);
        var sink = new PluginEventSink(hub, "p", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var at = DateTimeOffset.Parse("2026-11-26T10:00:00Z");

        sink.CardRemoved(new CardRemoved("r1", at));
        sink.CardReadFailed(new CardReadFailed("r1", CardReadError.CardRemoved, "left", at));
        sink.Close();
        sink.CardRemoved(new CardRemoved("r2", at));
        s2.Dispose();
        hub.ReadersChanged("p");

        Assert.Equal(new[] { "removed:r1", "failed:r1" }, good.Snapshot());
        Assert.Equal(3, throwing.Calls);
    }

    public interface IFakeSam
    {
    }

    public interface IOtherService
    {
    }

    private sealed class FakeSam : IFakeSam, IOtherService
    {
    }

    private sealed class ThrowingSink : IReaderEventSink
    {
        public int Calls { get; private set; }

        public void CardTapped(CardTapped tapped) => Throw();

        public void CardReadFailed(CardReadFailed failed) => Throw();

        public void CardRemoved(CardRemoved removed) => Throw();

        public void ReadersChanged(string pluginId) => Throw();

        private void Throw()
        {
            Calls++;
            throw new InvalidOperationException("observer bug");
        }
    }
}
