using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Idempotency;
using Middleware.Pipe.Methods;
using Middleware.Pipe.Server;

namespace Middleware.Pipe;

/// <summary>Registers the till pipe server.</summary>
public static class PipeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the named-pipe JSON-RPC server as a hosted service, its options (section <c>Pipe</c>), the points of sale
    /// (section <c>PointsOfSale</c>), the idempotency store and the built-in methods (<c>hello</c>, <c>ping</c>,
    /// <c>plugins.status</c>, <c>readers.list</c>). Every <see cref="IRpcTarget"/> registered in DI (before or after
    /// this call) is exposed. <c>IPluginCatalog</c> and <c>ICardEventSource</c> are used when registered.
    /// </summary>
    public static IServiceCollection AddPipeServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PipeServerOptions>().Bind(configuration.GetSection(PipeServerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipeServerOptions>>(PipeServerOptionsValidator.ForCurrentPlatform()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new PointOfSaleDirectory(configuration));
        services.TryAddSingleton(sp =>
        {
            var path = sp.GetRequiredService<IOptions<PipeServerOptions>>().Value.IdempotencyDatabasePath;
            return new IdempotencyStore(Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<IdempotencyStore>>());
        });
        services.TryAddSingleton(sp => new IdempotencyGate(
            sp.GetRequiredService<IdempotencyStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<IdempotencyGate>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRpcTarget, CoreRpcMethods>());
        services.TryAddSingleton<PipeServer>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PipeServer>());
        return services;
    }
}
