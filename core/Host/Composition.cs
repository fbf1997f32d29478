using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Pipe;

namespace Middleware.Host;

/// <summary>
/// THE extension point of the host: every feature registers itself here, one line each, through its own
/// <c>services.AddXxx(configuration)</c> method. The pipe server exposes every <c>IRpcTarget</c> registered by
/// these calls, whatever their order.
/// </summary>
internal static class Composition
{
    public static IServiceCollection AddMiddlewareFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        // Till protocol: named-pipe JSON-RPC server (sections "Pipe" and "PointsOfSale").
        services.AddPipeServer(configuration);

        // LEAD: add the other features here, e.g.
        //   services.AddPluginHost(configuration);    // registers IPluginCatalog and ICardEventSource, used by the pipe
        //   services.AddSandbox(configuration);
        //   services.AddTickets(configuration);
        //   services.AddPayments(configuration);
        //   services.AddScripting(configuration);
        return services;
    }
}
