using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Middleware.Host.Operator;

namespace Middleware.Host.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>The health checks (names kept stable: the status page and collectors use them) and <c>GET /health</c>
    /// on the operator web server. Each check is also cut at <see cref="CheckTimeout"/>, whatever it does.</summary>
    public static IServiceCollection AddHostHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName));
        services.AddSingleton<ApiReachability>();
        services.AddHealthChecks()
            .AddCheck<VemHealthCheck>("vem", HealthStatus.Unhealthy, ["api"], CheckTimeout)
            .AddCheck<IzlyHealthCheck>("izly", HealthStatus.Unhealthy, ["api"], CheckTimeout)
            .AddCheck<PcscHealthCheck>("pcscd", HealthStatus.Unhealthy, ["hardware"], CheckTimeout)
            .AddCheck<SerialHealthCheck>("serial", HealthStatus.Unhealthy, ["hardware"], CheckTimeout)
            .AddCheck<StoresHealthCheck>("stores", HealthStatus.Unhealthy, ["storage"], CheckTimeout)
            .AddCheck<DiskHealthCheck>("disk", HealthStatus.Unhealthy, ["storage"], CheckTimeout);
        services.AddSingleton<IOperatorEndpoints, HealthEndpoints>();
        return services;
    }

    /// <summary>A backstop above every check's own limit (HealthOptions: 3 s for the APIs, 2 s locally).</summary>
    internal static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
}
