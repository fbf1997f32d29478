using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;

namespace Middleware.PluginHost;

/// <summary>What one plugin instance gets from the host.</summary>
internal sealed class PluginContext : IPluginContext, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly PluginServiceRegistry _services;
    private readonly PluginEventSink _sink;

    public PluginContext(ILogger logger, TimeProvider time, JsonElement settings, string directory,
        PluginServiceRegistry services, PluginEventSink sink)
    {
        Logger = logger;
        Time = time;
        Settings = settings;
        PluginDirectory = directory;
        _services = services;
        _sink = sink;
        Stopping = _stopping.Token;
    }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public JsonElement Settings { get; }

    public string PluginDirectory { get; }

    public CancellationToken Stopping { get; }

    public T? GetService<T>() where T : class => _services.Get<T>(_sink);

    /// <summary>Replaces the contract's default binding, which would leave plugin types in System.Text.Json's
    /// process-wide caches and keep this plugin from ever unloading (see <see cref="SettingsBinder"/>).</summary>
    public T GetSettings<T>() where T : new() => SettingsBinder.Bind<T>(Settings);

    public void SignalStopping()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (AggregateException)
        {
            // A plugin's callback on Stopping threw: the plugin is going away anyway.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void CloseSink() => _sink.Close();

    public void Dispose() => _stopping.Dispose();
}
