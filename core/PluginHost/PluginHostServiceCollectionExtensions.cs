using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.PluginHost.Readers;

namespace Middleware.PluginHost;

/// <summary>Registers the plugin host.</summary>
public static class PluginHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds the plugin host: <see cref="PluginHostOptions"/> bound from the <c>PluginHost</c> section of
    /// <paramref name="configuration"/>, <see cref="IPluginCatalog"/>, <see cref="IPluginHostControl"/>,
    /// <see cref="ICardEventSource"/> (and the host's <see cref="IReaderEventSink"/>), <see cref="ICardReaders"/>, the
    /// hosted service that loads plugins at start and unloads them at shutdown, and, when an
    /// <see cref="ISmartCardSystem"/> is registered, the watch of the PC/SC readers (options section <c>CardReaders</c>). Uses the registered <see cref="TimeProvider"/>
    /// (the system clock when none is).
    /// </summary>
    public static IServiceCollection AddPluginHost(this IServiceCollection services, IConfiguration configuration, Action<PluginHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<PluginHostOptions>().Bind(configuration.GetSection(PluginHostOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PluginHostOptions>, PluginHostOptionsValidator>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new CardEventHub(
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<CardEventHub>()));
        services.TryAddSingleton<ICardEventSource>(sp => sp.GetRequiredService<CardEventHub>());
        services.TryAddSingleton<IReaderEventSink>(sp => sp.GetRequiredService<CardEventHub>());
        services.TryAddSingleton(sp => new PluginCatalog(
            sp.GetRequiredService<IOptions<PluginHostOptions>>(),
            sp.GetRequiredService<CardEventHub>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp,
            sp.GetServices<PluginServiceRegistration>(),
            sp.GetService<IHostEnvironment>()));
        services.TryAddSingleton<IPluginCatalog>(sp => sp.GetRequiredService<PluginCatalog>());
        services.TryAddSingleton<IPluginHostControl>(sp => sp.GetRequiredService<PluginCatalog>());
        services.AddSingleton<IHostedService>(sp => new PluginHostService(
            sp.GetRequiredService<PluginCatalog>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<PluginHostService>()));

        // The PC/SC readers are the host's: it watches them and hands each card to the card plugin that claims it.
        services.AddOptions<CardReaderOptions>().Bind(configuration.GetSection(CardReaderOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CardReaderOptions>, CardReaderOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetService<ISmartCardSystem>() is { } pcsc && sp.GetRequiredService<IOptions<CardReaderOptions>>().Value.Enabled
            ? new PcscCardWatcher(
                pcsc,
                sp.GetRequiredService<PluginCatalog>(),
                sp.GetRequiredService<CardEventHub>(),
                sp.GetRequiredService<IOptions<CardReaderOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<PcscCardWatcher>())
            : null!);
        services.TryAddSingleton<ICardReaders>(sp => new CardReaders(
            sp.GetRequiredService<PluginCatalog>(),
            sp.GetService<PcscCardWatcher>(),
            sp.GetRequiredService<CardEventHub>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CardReaderOptions>>().Value));
        services.AddSingleton<IHostedService>(sp => sp.GetService<PcscCardWatcher>() is { } watcher
            ? new PcscWatchService(watcher)
            : new NoWatchService());
        // A configured reader PC/SC does not see at start is a warning (it may be plugged in later), never a refusal.
        services.AddSingleton<IHostedService>(sp => sp.GetService<ISmartCardSystem>() is { } pcsc && sp.GetRequiredService<IOptions<CardReaderOptions>>().Value.Enabled
            ? new ConfiguredReadersCheck(pcsc, sp.GetRequiredService<IOptions<List<Domain.PointsOfSale.PointOfSaleOptions>>>(),
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<ConfiguredReadersCheck>())
            : new NoWatchService());
        return services;
    }

    /// <summary>
    /// Makes the DI service <typeparamref name="TService"/> (a contract interface, e.g. the PC/SC or SAM service)
    /// available to plugins through <c>IPluginContext.GetService&lt;TService&gt;()</c>. Services not registered this
    /// way are invisible to plugins. <see cref="IReaderEventSink"/> is always available.
    /// </summary>
    public static IServiceCollection AddPluginService<TService>(this IServiceCollection services) where TService : class
    {
        services.AddSingleton(new PluginServiceRegistration(typeof(TService)));
        return services;
    }
}

/// <summary>Stands in for the PC/SC watch on a host without PC/SC.</summary>
internal sealed class NoWatchService : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
