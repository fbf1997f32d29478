using Middleware.Contracts.Plugins;
using Middleware.PluginHost.Threads;

namespace Middleware.PluginHost;

/// <summary>One loaded and started version of a plugin, with its in-flight call count.</summary>
internal sealed class PluginInstance
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _draining;

    public PluginInstance(LoadedPlugin loaded, PluginContext context, PluginEntry entry)
    {
        Plugin = loaded.Plugin;
        Loaded = loaded;
        Context = context;
        Entry = entry;
        Version = loaded.Metadata.Version;
        Workers = new PluginWorkers($"plugin {entry.Id} {Version}");
    }

    /// <summary>The threads this version's code runs on (StartAsync, calls, GetTerminals, StopAsync); closed once it is
    /// stopped.</summary>
    public PluginWorkers Workers { get; }

    /// <summary>The plugin object; null once the instance is released (so nothing in the host keeps it alive).</summary>
    public IPlugin? Plugin { get; private set; }

    public LoadedPlugin? Loaded { get; private set; }

    public PluginContext? Context { get; private set; }

    public PluginEntry Entry { get; }

    public string Version { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public Task Drained => _drained.Task;

    /// <summary>Counts a call in, unless the instance is draining.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _draining) != 0)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _draining) != 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new calls; <see cref="Drained"/> completes when the in-flight ones have finished.</summary>
    public void BeginDrain()
    {
        Interlocked.Exchange(ref _draining, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Drops every reference to the plugin's objects (call after StopAsync, before unloading).</summary>
    public LoadedPlugin? Release()
    {
        var loaded = Loaded;
        Plugin = null;
        Loaded = null;
        Context?.Dispose();
        Context = null;
        return loaded;
    }
}
