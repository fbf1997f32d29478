using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Middleware.Contracts.Readers;

namespace Middleware.Cards.Sam;

/// <summary>Registers the software SAM.</summary>
public static class SamServiceCollectionExtensions
{
    /// <summary>
    /// Registers the software SAM as the host's <see cref="ISam"/> (singleton), configured from
    /// <c>Cards:SoftwareSam</c> (<see cref="SoftwareSamOptions"/>). The key file is loaded on first use, so a missing or
    /// unsafe file never stops the host: the SAM then answers <see cref="SamError.Unavailable"/>.
    /// </summary>
    public static IServiceCollection AddSoftwareSam(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SoftwareSamOptions>().Bind(configuration.GetSection(SoftwareSamOptions.SectionName));
        services.TryAddSingleton<SoftwareSam>();
        services.TryAddSingleton<ISam>(sp => sp.GetRequiredService<SoftwareSam>());
        return services;
    }
}
