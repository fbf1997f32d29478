using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;

namespace Middleware.Cards.Sam;

/// <summary>Registers the software SAM.</summary>
public static class SamServiceCollectionExtensions
{
    /// <summary>
    /// Registers the software SAM as the host's <see cref="ISam"/> (singleton), configured from
    /// <c>Cards:SoftwareSam</c> (<see cref="SoftwareSamOptions"/>). A key file that is named but missing or readable by
    /// others stops the host at start (<see cref="SoftwareSamOptionsValidator"/>); the file is loaded on first use, and a
    /// file spoilt later makes the SAM answer <see cref="SamError.Unavailable"/>.
    /// </summary>
    public static IServiceCollection AddSoftwareSam(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SoftwareSamOptions>().Bind(configuration.GetSection(SoftwareSamOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SoftwareSamOptions>, SoftwareSamOptionsValidator>());
        services.TryAddSingleton<SoftwareSam>();
        services.TryAddSingleton<ISam>(sp => sp.GetRequiredService<SoftwareSam>());
        return services;
    }
}
