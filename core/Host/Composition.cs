using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Api;
using Middleware.Api.Secrets;
using Middleware.Cards.Pcsc;
using Middleware.Cards.Sam;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;
using Middleware.Host.Health;
using Middleware.Host.Operator;
using Middleware.Host.Status;
using Middleware.Host.Telemetry;
using Middleware.PluginHost.Pcsc;
using Middleware.Payments;
using Middleware.Pipe;
using Middleware.PluginHost;
using Middleware.Sandbox.Hosting;
using Middleware.Sandbox.Seed;
using Middleware.Scripting;
using Middleware.Serial;
using Middleware.Tickets;

namespace Middleware.Host;

/// <summary>
/// THE extension point of the host: every feature registers itself here, one line each, through its own
/// <c>services.AddXxx(configuration)</c> method. The pipe server exposes every <c>IRpcTarget</c> registered by
/// these calls, whatever their order. Hosted services start in this order: the embedded sandbox first, so that
/// the reference sync and the outbox find it listening.
/// </summary>
internal static class Composition
{
    public static IServiceCollection AddMiddlewareFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        // The embedded sandbox (section "Sandbox", enabled by default): a local Crous + Izly API.
        if (configuration.GetValue("Sandbox:Enabled", true))
        {
            UseSandboxDemoKeys();
        }

        services.AddSandbox(configuration);

        // Crous VEM and Izly clients, reference-data store (section "CrousApis").
        services.AddCrousApis(configuration);

        // Hardware access stays in the host (native code does not hot-reload): PC/SC, the SAM, serial links (section "SerialLinks").
        services.AddPcsc(configuration);
        services.AddSoftwareSam(configuration);
        services.AddSerialLinks(configuration);

        // Plugins (plugins.json) and the host services they may ask for.
        services.AddPluginHost(configuration);
        services.AddPluginService<ISam>();
        services.AddPluginService<IIzlyGateway>();
        services.AddPluginService<ISerialLinkProvider>();

        // Pricing and mapping scripts, tickets and their outbox, sales and payments.
        services.AddScripting(configuration);
        services.AddTickets(configuration);
        services.AddScriptTicketMapping(configuration); // a site's own mapping.csx maps its tickets, else the built-in mapping
        services.AddPayments(configuration);

        // Till protocol: named-pipe JSON-RPC server (sections "Pipe" and "PointsOfSale").
        services.AddPipeServer(configuration);

        // The operator web server (section "OperatorWeb", off unless enabled): status page, health, metrics.
        services.AddOperatorWeb(configuration);
        services.AddOperatorStatus(); // its status page and /status.json, and status.get, readers.seen on the pipe

        // Health checks (GET /health) and metrics/traces export (section "Telemetry", off unless enabled; GET /metrics).
        services.AddHostHealth(configuration);
        services.AddHostTelemetry(configuration);
        return services;
    }

    // The sandbox's installation keys are public demo values: offer them as the secrets of its points of sale unless
    // the operator set real ones (secrets otherwise come only from the environment or a protected file).
    private static void UseSandboxDemoKeys()
    {
        foreach (var pointOfSale in SandboxSeed.Create(DateTimeOffset.UtcNow).PointsOfSale)
        {
            var variable = SecretStore.InstallationKeyVariableFor(pointOfSale.Id);
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                Environment.SetEnvironmentVariable(variable, pointOfSale.InstallationKey);
            }
        }
    }
}
