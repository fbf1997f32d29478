using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Middleware.Host.Operator;

internal static class OperatorWebServiceCollectionExtensions
{
    /// <summary>The operator web server (section <c>OperatorWeb</c>); features add pages with
    /// <c>services.AddSingleton&lt;IOperatorEndpoints, ...&gt;()</c>.</summary>
    public static IServiceCollection AddOperatorWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperatorWebOptions>().Bind(configuration.GetSection(OperatorWebOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperatorWebOptions>, OperatorWebOptionsValidator>();
        services.AddSingleton<OperatorWebAddress>();
        services.AddHostedService<OperatorWebServer>();
        return services;
    }
}
