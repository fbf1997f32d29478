using Microsoft.Extensions.DependencyInjection;
using Middleware.Contracts.Readers;

namespace Middleware.PluginHost;

/// <summary>Marks a DI service as visible to plugins through <c>IPluginContext.GetService&lt;T&gt;()</c>.
/// Register with <see cref="PluginHostServiceCollectionExtensions.AddPluginService{TService}"/>.</summary>
/// <param name="ServiceType">The contract interface plugins ask for.</param>
public sealed record PluginServiceRegistration(Type ServiceType);

/// <summary>The host services plugins may ask for: only the registered contract types, resolved from DI.</summary>
internal sealed class PluginServiceRegistry
{
    private readonly IServiceProvider? _provider;
    private readonly HashSet<Type> _allowed;

    public PluginServiceRegistry(IServiceProvider? provider, IEnumerable<PluginServiceRegistration> registrations)
    {
        _provider = provider;
        _allowed = [.. registrations.Select(r => r.ServiceType)];
    }

    public T? Get<T>(PluginEventSink sink) where T : class
    {
        // Each instance gets its own event sink so that a stopped instance cannot publish any more.
        if (typeof(T) == typeof(IReaderEventSink))
        {
            return (T)(object)sink;
        }

        if (_provider is null || !_allowed.Contains(typeof(T)))
        {
            return null;
        }

        return _provider.GetService<T>();
    }
}
