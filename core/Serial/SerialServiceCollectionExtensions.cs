using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;

namespace Middleware.Serial;

/// <summary>Registers the host's serial link service.</summary>
public static class SerialServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ISerialLinkProvider"/> (singleton) over the Linux tty transport or System.IO.Ports and TCP, with <see cref="SerialLinkOptions"/>
    /// bound from the <c>SerialLinks</c> section of <paramref name="configuration"/> and validated at start. Uses the
    /// registered <see cref="TimeProvider"/> (the system clock when none is). Plugins see it only once it is also made a
    /// plugin service (<c>AddPluginService&lt;ISerialLinkProvider&gt;()</c>).
    /// </summary>
    public static IServiceCollection AddSerialLinks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SerialLinkOptions>().Bind(configuration.GetSection(SerialLinkOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SerialLinkOptions>, SerialLinkOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISerialLinkProvider>(sp => new SerialLinkProvider(
            sp.GetRequiredService<IOptions<SerialLinkOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return services;
    }
}
