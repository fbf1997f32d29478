using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Api.Izly;
using Middleware.Api.Reference;
using Middleware.Api.Secrets;
using Middleware.Api.Vem;
using Middleware.Contracts.Channels;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Rpc;

namespace Middleware.Api;

/// <summary>DI registration of the Crous/Izly API clients and the reference-data store.</summary>
public static class CrousApisServiceCollectionExtensions
{
    /// <summary>Configuration section of the points of sale (a list of <see cref="PointOfSaleOptions"/>).</summary>
    public const string PointsOfSaleSection = "PointsOfSale";

    /// <summary>
    /// Registers <see cref="IVemClient"/>, <see cref="IIzlyGateway"/> and <see cref="IIzlyOperations"/> (the Izly client), <see cref="IReferenceStore"/>,
    /// <see cref="IReferenceCatalogSource"/> (each point of sale's catalogue, named explicitly), the scheduled sync (hosted service) and the
    /// <c>reference.sync</c> / <c>reference.status</c> RPC methods. Sections: <c>CrousApis:Vem</c>, <c>CrousApis:Izly</c>,
    /// <c>CrousApis:Reference</c>, <c>CrousApis:Secrets</c>, <c>PointsOfSale</c>. Secrets come from the environment
    /// (<c>MW_VEM_INSTALLATION_KEY_5_1_9_8_14</c>, <c>MW_VEM_INSTALLATION_KEY</c>, <c>MW_VEM_OAUTH_CLIENT_SECRET</c>)
    /// or the protected file (<c>CrousApis:Secrets:File</c> or <c>MW_SECRETS_FILE</c>).
    /// </summary>
    public static IServiceCollection AddCrousApis(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Plain http beyond loopback is allowed only beside the embedded sandbox (a demo or test set-up).
        var sandbox = configuration.GetValue("Sandbox:Enabled", true);
        services.AddOptions<VemOptions>().Bind(configuration.GetSection(VemOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VemOptions>>(new VemOptionsValidator(sandbox)));
        services.AddOptions<IzlyOptions>().Bind(configuration.GetSection(IzlyOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IzlyOptions>>(new IzlyOptionsValidator(sandbox)));
        services.AddOptions<ReferenceOptions>().Bind(configuration.GetSection(ReferenceOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReferenceOptions>, ReferenceOptionsValidator>());
        services.AddOptions<SecretsOptions>().Bind(configuration.GetSection("CrousApis:Secrets")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecretsOptions>>(new SecretsOptionsValidator(Environment.GetEnvironmentVariable)));

        services.TryAddSingleton(sp => new SecretStore(sp.GetRequiredService<IOptions<SecretsOptions>>().Value));
        services.TryAddSingleton(sp => new VemClient(
            sp.GetRequiredService<IOptions<VemOptions>>().Value,
            sp.GetRequiredService<SecretStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<VemClient>>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<VemClient>.Instance));
        services.TryAddSingleton<IVemClient>(sp => sp.GetRequiredService<VemClient>());
        services.TryAddSingleton(sp => new IzlyKeyStore(sp.GetRequiredService<IVemClient>()));
        services.TryAddSingleton(sp => new IzlyClient(
            sp.GetRequiredService<IOptions<IzlyOptions>>().Value,
            sp.GetRequiredService<IzlyKeyStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<IzlyClient>>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<IzlyClient>.Instance));
        services.TryAddSingleton<IIzlyGateway>(sp => sp.GetRequiredService<IzlyClient>());
        services.TryAddSingleton<IIzlyOperations>(sp => sp.GetRequiredService<IzlyClient>());

        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ReferenceOptions>>().Value);
        services.TryAddSingleton(sp => new ReferenceStore(
            sp.GetRequiredService<IVemClient>(),
            sp.GetRequiredService<IzlyKeyStore>(),
            sp.GetRequiredService<ReferenceOptions>(),
            configuration.GetSection(PointsOfSaleSection).Get<List<PointOfSaleOptions>>() ?? [],
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ReferenceStore>>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<ReferenceStore>.Instance));
        services.TryAddSingleton<IReferenceStore>(sp => sp.GetRequiredService<ReferenceStore>());
        services.TryAddSingleton<IReferenceCatalogSource>(sp => new StoreReferenceCatalogSource(sp.GetRequiredService<IReferenceStore>()));
        services.AddSingleton<IHostedService>(sp => new ReferenceSyncService(
            sp.GetRequiredService<IReferenceStore>(),
            sp.GetRequiredService<ReferenceOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ReferenceSyncService>>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<ReferenceSyncService>.Instance));
        services.AddSingleton<IRpcTarget>(sp => new ReferenceRpcTarget(sp.GetRequiredService<IReferenceStore>()));
        services.AddSingleton(new RpcJsonMetadata(ReferenceRpcJsonContext.Default));
        return services;
    }
}
