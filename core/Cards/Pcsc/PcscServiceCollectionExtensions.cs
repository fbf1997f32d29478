using Middleware.Cards.Pcsc.Native;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        // Options pattern, checked at start: a bad value used to be ignored silently (the default taken instead).
        services.AddOptions<PcscOptions>().Bind(configuration.GetSection(PcscOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PcscOptions>, PcscOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PcscOptions>>().Value);
        services.TryAddSingleton<ISmartCardSystem>(provider => new PcscSmartCardSystem(
            PcscApi.ForCurrentPlatform(),
            provider.GetRequiredService<PcscOptions>(),
            provider.GetService<ILogger<PcscSmartCardSystem>>()));
        return services;
    }

    /// <summary>Creates a PC/SC service outside DI (tools, tests, benchmarks). Dispose it when done.</summary>
    public static ISmartCardSystem CreateSmartCardSystem(PcscOptions? options = null, ILogger? logger = null) =>
        new PcscSmartCardSystem(PcscApi.ForCurrentPlatform(), options ?? new PcscOptions(), logger as ILogger<PcscSmartCardSystem>);

    /// <summary>The options of a <c>Pcsc</c> section, bound as the host binds them (tools and tests); not checked.</summary>
    internal static PcscOptions ReadOptions(IConfiguration section) => section.Get<PcscOptions>() ?? new PcscOptions();
}
