using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Rpc;
using Middleware.Scripting.TicketMapping;
using Middleware.Tickets.Mapping;

namespace Middleware.Scripting;

public static class ScriptingServiceCollectionExtensions
{
    /// <summary>
    /// The script engine: <see cref="IScriptEngine"/> (singleton), the <c>scripts.status</c> RPC target, and a hosted
    /// service that compiles all scripts at start-up and reloads them on edit. Options from the <c>Scripting</c>
    /// section (<see cref="ScriptingOptions"/>). Callers pass each point of sale's VEM catalogue in their
    /// requests (<see cref="Prices.IPriceCatalogSource"/>); a registered <see cref="Globals.IPriceCatalog"/> serves
    /// requests that name none (tests, tools). Without either, only sites with a local price list can price.
    /// </summary>
    public static IServiceCollection AddScripting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScriptingOptions>().Bind(configuration.GetSection(ScriptingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScriptingOptions>, ScriptingOptionsValidator>());
        // The points of sale are bound by their owner (AddPayments); here only their script sites are checked at start.
        services.AddOptions<List<PointOfSaleOptions>>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<List<PointOfSaleOptions>>, ScriptSitesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ScriptEngine>();
        services.TryAddSingleton<IScriptEngine>(sp => sp.GetRequiredService<ScriptEngine>());
        services.AddSingleton<ScriptWatcher>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ScriptWatcher>());
        services.AddSingleton<IRpcTarget, ScriptsRpcTarget>();
        services.AddSingleton(new RpcJsonMetadata(ScriptsRpcJsonContext.Default));
        return services;
    }

    /// <summary>
    /// Tickets of points of sale whose script site has its own <c>mapping.csx</c> are mapped by that script
    /// (<see cref="ScriptTicketMapper"/>); the others by the built-in mapping. Replaces the <see cref="ITicketMapper"/>
    /// that <c>AddTickets</c> registers, whichever is called first. Points of sale from the <c>PointsOfSale</c> section.
    /// </summary>
    public static IServiceCollection AddScriptTicketMapping(this IServiceCollection services, IConfiguration configuration)
    {
        services.Replace(ServiceDescriptor.Singleton<ITicketMapper>(sp => new ScriptTicketMapper(
            sp.GetRequiredService<ScriptEngine>(),
            configuration.GetSection("PointsOfSale").Get<List<PointOfSaleOptions>>() ?? [],
            DefaultTicketMapper.Instance,
            sp.GetService<ILogger<ScriptTicketMapper>>(),
            sp.GetService<Prices.IPriceCatalogSource>())));
        return services;
    }
}
