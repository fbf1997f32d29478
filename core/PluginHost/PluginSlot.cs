using Middleware.Contracts.Plugins;
using Middleware.PluginHost.Threads;

namespace Middleware.PluginHost;

/// <summary>One plugin id of plugins.json: its current instance, its status and its reload machinery.</summary>
internal sealed class PluginSlot(PluginEntry entry, DateTimeOffset now, PluginThreads threads) : IDisposable
{
    private readonly Lock _statusLock = new();
    private readonly List<PluginStatusInfo> _superseded = [];

    /// <summary>Serialises load, reload, disable and retire of this plugin.</summary>
    public SemaphoreSlim Lifecycle { get; } = new(1, 1);

    public PluginEntry Entry { get; set; } = entry;

    private PluginInstance? _active;

    /// <summary>The instance calls go to; null when none is serving.</summary>
    public PluginInstance? Active => Volatile.Read(ref _active);

    public void Activate(PluginInstance instance) => Volatile.Write(ref _active, instance);

    /// <summary>Takes <paramref name="instance"/> out of service if it is still the active one.</summary>
    public bool TryDeactivate(PluginInstance instance) => Interlocked.CompareExchange(ref _active, null, instance) == instance;

    /// <summary>Set while a swap is in progress: new calls wait for it instead of going to the old version.</summary>
    public volatile TaskCompletionSource? SwapGate;

    public Debouncer? FileDebouncer { get; set; }

    public List<FileSystemWatcher> Watchers { get; } = [];

    public bool Removed { get; set; }

    /// <summary>Disabled by an operator (<c>plugins.disable</c>) until <c>plugins.enable</c> or a restart; plugins.json
    /// is not rewritten.</summary>
    public volatile bool OperatorDisabled;

    /// <summary>Malfunctions since the last successful call: the automatic retry's backoff exponent.</summary>
    public int ConsecutiveMalfunctions;

    /// <summary>The threads this plugin's code runs on, across its versions (abandoned ones included).</summary>
    public PluginThreads Threads { get; } = threads;

    /// <summary>Set when no automatic retry was scheduled because too many of its threads are blocked; the end of one
    /// of them schedules it.</summary>
    public volatile bool RecoveryPaused;

    /// <summary>Bumped by every scheduled retry: only the latest one acts.</summary>
    public int RecoveryGeneration;

    public PluginStatusInfo Status { get; private set; } =
        new(entry.Id, null, entry.Enabled ? PluginState.NotSupported : PluginState.Disabled,
            entry.Enabled ? "Not loaded yet." : "Disabled in plugins.json.", entry.Folder, now);

    public PluginStatusInfo SetStatus(PluginState state, string? version, string? reason, DateTimeOffset now)
    {
        lock (_statusLock)
        {
            var since = Status.State == state && Status.Version == version ? Status.Since : now;
            Status = new PluginStatusInfo(Entry.Id, version, state, reason, Entry.Folder, since);
            return Status;
        }
    }

    public PluginStatusInfo AddSuperseded(string version, DateTimeOffset now)
    {
        var info = new PluginStatusInfo(Entry.Id, version, PluginState.Superseded, "Replaced; waiting for its context to unload.", Entry.Folder, now);
        lock (_statusLock)
        {
            _superseded.Add(info);
        }

        return info;
    }

    public void UpdateSuperseded(PluginStatusInfo old, PluginStatusInfo? replacement)
    {
        lock (_statusLock)
        {
            var i = _superseded.IndexOf(old);
            if (i >= 0)
            {
                if (replacement is null)
                {
                    _superseded.RemoveAt(i);
                }
                else
                {
                    _superseded[i] = replacement;
                }
            }
        }
    }

    public void AppendStatuses(List<PluginStatusInfo> into)
    {
        lock (_statusLock)
        {
            into.Add(Status);
            into.AddRange(_superseded);
        }
    }

    public void DisposeWatchers()
    {
        foreach (var w in Watchers)
        {
            w.EnableRaisingEvents = false;
            w.Dispose();
        }

        Watchers.Clear();
    }

    public void Dispose()
    {
        DisposeWatchers();
        Lifecycle.Dispose();
    }
}
