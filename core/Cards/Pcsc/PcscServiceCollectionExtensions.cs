using Middleware.Cards.Pcsc.Native;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Middleware.Cards.Pcsc;

/// <summary>Registers the host's PC/SC service.</summary>
public static class PcscServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ISmartCardSystem"/> (singleton) over the platform's PC/SC library, with
    /// <see cref="PcscOptions"/> read from the <c>Pcsc</c> section of <paramref name="configuration"/>.
    /// Nothing native is loaded until the first call.
    /// </summary>
    public static IServiceCollection AddPcsc(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = ReadOptions(configuration.GetSection(PcscOptions.SectionName));
        services.TryAddSingleton(options);
        services.TryAddSingleton<ISmartCardSystem>(provider => new PcscSmartCardSystem(
            PcscApi.ForCurrentPlatform(),
            provider.GetRequiredService<PcscOptions>(),
            provider.GetService<ILogger<PcscSmartCardSystem>>()));
        return services;
    }

    /// <summary>Creates a PC/SC service outside DI (tools, tests, benchmarks). Dispose it when done.</summary>
    public static ISmartCardSystem CreateSmartCardSystem(PcscOptions? options = null, ILogger? logger = null) =>
        new PcscSmartCardSystem(PcscApi.ForCurrentPlatform(), options ?? new PcscOptions(), logger as ILogger<PcscSmartCardSystem>);

    internal static PcscOptions ReadOptions(IConfiguration section)
    {
        var options = new PcscOptions();
        if (Enum.TryParse<PcscScope>(section[nameof(PcscOptions.Scope)], ignoreCase: true, out var scope))
        {
            options.Scope = scope;
        }

        if (int.TryParse(section[nameof(PcscOptions.MaxIdleContexts)], out var idle) && idle >= 0)
        {
            options.MaxIdleContexts = idle;
        }

        if (int.TryParse(section[nameof(PcscOptions.ReceiveBufferSize)], out var size) && size >= 258)
        {
            options.ReceiveBufferSize = size;
        }

        return options;
    }
}
