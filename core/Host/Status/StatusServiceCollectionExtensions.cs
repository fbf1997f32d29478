using Microsoft.Extensions.DependencyInjection;
using Middleware.Domain.Rpc;
using Middleware.Host.Operator;

namespace Middleware.Host.Status;

internal static class StatusServiceCollectionExtensions
{
    /// <summary>The operator's status snapshot: the page and <c>/status.json</c> on the operator web server, <c>status.get</c>
    /// and <c>readers.seen</c> on the pipe, and the rings of recent card events and log errors they show.</summary>
    public static IServiceCollection AddOperatorStatus(this IServiceCollection services)
    {
        // The checks themselves are core/Host/Health's; this makes sure the service exists to ask them.
        services.AddHealthChecks();
        services.AddSingleton<HealthReportCache>();
        services.AddSingleton<RecentLogEvents>();
        services.AddSingleton<RecentCardEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<RecentCardEvents>());
        services.AddSingleton<SeenReaders>();
        services.AddSingleton<StatusPartRunner>();
        services.AddSingleton<StatusSnapshotService>();
        services.AddSingleton<IOperatorEndpoints, StatusEndpoints>();
        services.AddSingleton<IRpcTarget, StatusRpcTarget>();
        services.AddSingleton(new RpcJsonMetadata(StatusRpcJsonContext.Default));
        return services;
    }
}
