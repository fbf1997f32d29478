using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Middleware.Domain.Rpc;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Rpc;

namespace Middleware.Scripting;

public static class ScriptingServiceCollectionExtensions
{
    /// <summary>
    /// The script engine: <see cref="IScriptEngine"/> (singleton), the <c>scripts.status</c> RPC target, and a hosted
    /// service that compiles all scripts at start-up and reloads them on edit. Options from the <c>Scripting</c>
    /// section (<see cref="ScriptingOptions"/>). Register an <see cref="Globals.IPriceCatalog"/> for VEM prices;
    /// without one, only sites with a local price list can price.
    /// </summary>
    public static IServiceCollection AddScripting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScriptingOptions>().Bind(configuration.GetSection(ScriptingOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ScriptEngine>();
        services.TryAddSingleton<IScriptEngine>(sp => sp.GetRequiredService<ScriptEngine>());
        services.AddSingleton<ScriptWatcher>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ScriptWatcher>());
        services.AddSingleton<IRpcTarget, ScriptsRpcTarget>();
        return services;
    }
}
