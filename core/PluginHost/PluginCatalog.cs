using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Domain.Errors;
using Middleware.PluginHost.Threads;

namespace Middleware.PluginHost;

/// <summary>
/// The plugin host: loads the plugins of plugins.json (each in its own collectible context, from a shadow copy),
/// routes calls to the current version, enforces timeouts, and hot-reloads plugins when their files or
/// plugins.json change. Started and stopped by <see cref="PluginHostService"/>.
/// </summary>
public sealed class PluginCatalog : IPluginCatalog, IPluginHostControl, IAsyncDisposable
{
    private const int UnloadHistorySize = 256;

    private readonly PluginHostOptions _options;
    private readonly CardEventHub _hub;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<PluginCatalog> _logger;
    private readonly PluginServiceRegistry _services;
    private readonly string _pluginsFile;
    private readonly string _shadowRoot;
    private readonly bool _ownsShadowRoot;
    private readonly ConcurrentDictionary<string, PluginSlot> _slots = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _configLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly ConcurrentQueue<PluginUnloadRecord> _unloads = new();
    private ImmutableArray<string> _order = [];
    private FileSystemWatcher? _configWatcher;
    private Debouncer? _configDebouncer;
    private int _pendingUnloads;
    private int _state; // 0 new, 1 started, 2 stopped

    public PluginCatalog(
        IOptions<PluginHostOptions> options,
        CardEventHub hub,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        IServiceProvider? services = null,
        IEnumerable<PluginServiceRegistration>? serviceRegistrations = null,
        IHostEnvironment? environment = null)
    {
        _options = options.Value;
        _hub = hub;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PluginCatalog>();
        _services = new PluginServiceRegistry(services, serviceRegistrations ?? []);
        var root = environment?.ContentRootPath ?? Environment.CurrentDirectory;
        _pluginsFile = Path.GetFullPath(Path.Combine(root, _options.PluginsFile));
        _ownsShadowRoot = string.IsNullOrWhiteSpace(_options.ShadowCopyDirectory);
        // Never under /tmp: an account that made that folder first could swap a DLL between the copy and its load.
        _shadowRoot = _ownsShadowRoot
            ? Path.Combine(Path.GetDirectoryName(_pluginsFile)!, "data", "plugin-shadow", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24])
            : Path.GetFullPath(Path.Combine(root, _options.ShadowCopyDirectory!));
    }

    /// <inheritdoc />
    public event EventHandler<PluginStatusInfo>? StatusChanged;

    /// <summary>The full path of the plugins.json this catalog reads.</summary>
    public string PluginsFilePath => _pluginsFile;

    /// <inheritdoc />
    public int PendingUnloads => Volatile.Read(ref _pendingUnloads);

    // ------------------------------------------------------------------ lifecycle

    /// <summary>Loads and starts every enabled plugin, then watches for changes. Plugin failures never throw here.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The plugin catalog was already started.");
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_shadowRoot);
        }
        else
        {
            // Private whatever the umask: only the host's account may write what it loads.
            Directory.CreateDirectory(Path.GetDirectoryName(_shadowRoot)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(_shadowRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _logger.LogInformation("Plugin host starting with {PluginsFile} (shadow copies in {ShadowRoot})", _pluginsFile, _shadowRoot);
        await ApplyConfigurationCoreAsync(initial: true, cancellationToken).ConfigureAwait(false);
        if (_options.WatchForChanges)
        {
            StartConfigWatcher();
        }
    }

    /// <summary>Stops watching, stops every plugin (bounded), unloads them and waits (bounded) for the unload proofs.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        _logger.LogInformation("Plugin host stopping");
        await _stopping.CancelAsync().ConfigureAwait(false);
        _configWatcher?.Dispose();
        foreach (var slot in _slots.Values)
        {
            slot.DisposeWatchers();
        }

        await WaitBackgroundAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in _order)
        {
            if (_slots.TryGetValue(id, out var slot))
            {
                await slot.Lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await RetireActiveAsync(slot, "host stopping").ConfigureAwait(false);
                }
                finally
                {
                    slot.Lifecycle.Release();
                }
            }
        }

        await WaitBackgroundAsync(cancellationToken).ConfigureAwait(false);
        if (_ownsShadowRoot)
        {
            PluginLoading.TryDelete(_shadowRoot);
        }

        _logger.LogInformation("Plugin host stopped");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var slot in _slots.Values)
        {
            slot.Dispose();
        }

        _stopping.Dispose();
    }

    private async Task WaitBackgroundAsync(CancellationToken cancellationToken)
    {
        // Proofs and retirements are bounded by their own timeouts; loop because one may start another.
        while (!_background.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_background.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("Stopped waiting for {Count} plugin background tasks", _background.Count);
                return;
            }
            catch (Exception)
            {
                // Each background task logs its own failure.
            }
        }
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // ------------------------------------------------------------------ queries

    /// <inheritdoc />
    public IReadOnlyList<PluginStatusInfo> GetStatuses()
    {
        var list = new List<PluginStatusInfo>();
        foreach (var id in _order)
        {
            if (_slots.TryGetValue(id, out var slot))
            {
                slot.AppendStatuses(list);
            }
        }

        return list;
    }

    /// <summary>Every terminal of every active terminal plugin.</summary>
    /// <remarks>Each terminal plugin answers on a thread of its own, all at once, within
    /// <see cref="PluginHostOptions.CallTimeout"/> + <see cref="PluginHostOptions.CancelGrace"/>; a plugin that throws or
    /// does not answer by then is left out and marked Malfunctioned. <paramref name="cancellationToken"/> only stops
    /// the caller's wait.</remarks>
    public async Task<IReadOnlyList<ReaderDescriptor>> GetTerminalsAsync(CancellationToken cancellationToken)
    {
        var queries = new List<Task<IReadOnlyList<ReaderDescriptor>>>();
        foreach (var id in _order)
        {
            if (_slots.TryGetValue(id, out var slot) && slot.Active is { } instance && instance.TryEnter())
            {
                queries.Add(QueryReadersAsync(slot, instance));
            }
        }

        if (queries.Count == 0)
        {
            return [];
        }

        var answers = await Task.WhenAll(queries).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(r => r)];
    }

    private async Task<IReadOnlyList<ReaderDescriptor>> QueryReadersAsync(PluginSlot slot, PluginInstance instance)
    {
        try
        {
            if (instance.Plugin is not ITerminalPlugin terminal)
            {
                return [];
            }

            // Copied on the plugin's thread into host-owned objects: a plugin's list type (even one the compiler made
            // for a collection expression) lives in the plugin's context and would keep it from unloading, and
            // enumerating it runs the plugin's code.
            var outcome = await slot.Threads.RunAsync<IReadOnlyList<ReaderDescriptor>>(instance.Workers, "GetTerminals",
                _ => Task.FromResult<IReadOnlyList<ReaderDescriptor>>(
                    [.. (terminal.GetTerminals() ?? []).Select(r => new ReaderDescriptor(r.Name, r.PluginId, [.. r.Technologies], r.State))]),
                _options.CallTimeout, _options.CancelGrace, CancellationToken.None).ConfigureAwait(false);
            if (outcome.Finished && outcome.Task.IsCompletedSuccessfully)
            {
                return outcome.Task.Result;
            }

            MarkMalfunctioned(slot, instance, outcome.Finished
                ? $"GetTerminals threw {PluginLoading.Describe(outcome.Task.Exception?.InnerException ?? new TaskCanceledException())}"
                : $"GetTerminals {NotReturned(outcome.End, _options.CallTimeout)}");
            return [];
        }
        finally
        {
            instance.Exit();
        }
    }

    /// <summary>"blocked its thread ..." or "ignored its cancellation ...", for a run that did not finish.</summary>
    private string NotReturned(PluginRunEnd end, TimeSpan budget) => end == PluginRunEnd.Blocked
        ? $"blocked its thread for {_options.CancelGrace.TotalSeconds:0.###} s after its {budget.TotalSeconds:0.###} s budget; the thread is abandoned (.NET cannot abort a thread)."
        : $"ignored its cancellation for {_options.CancelGrace.TotalSeconds:0.###} s after its {budget.TotalSeconds:0.###} s budget.";

    /// <summary>The plugins' threads the host abandoned because they blocked past their budget and are still inside the
    /// plugin's code (each keeps its plugin's load context alive).</summary>
    public IReadOnlyList<BlockedPluginThread> GetBlockedThreads() =>
        [.. _slots.Values.SelectMany(s => s.Threads.Snapshot()).OrderBy(b => b.Since)];

    /// <inheritdoc />
    public IReadOnlyList<string> ActivePlugins<TPlugin>() where TPlugin : class, IPlugin =>
        [.. _order.Where(id => _slots.TryGetValue(id, out var s) && s.Active?.Plugin is TPlugin)];

    /// <inheritdoc />
    public IReadOnlyList<PluginUnloadRecord> GetUnloadHistory() => [.. _unloads];

    // ------------------------------------------------------------------ calls

    /// <inheritdoc />
    /// <remarks>
    /// Exceptions of contract types (e.g. <see cref="CardReadException"/>) and <see cref="MiddlewareException"/>
    /// pass through unchanged: they are answers, not malfunctions. Any other exception, or a call running past
    /// <see cref="PluginHostOptions.CallTimeout"/>, marks the plugin Malfunctioned.
    /// </remarks>
    public Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin =>
        InvokeAsync(pluginId, call, _options.CallTimeout, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// When <paramref name="timeout"/> runs out the call's token is cancelled and the plugin has
    /// <see cref="PluginHostOptions.CancelGrace"/> to return: a slow dependency is the caller's outcome
    /// (<c>PluginTimeout</c>), and the plugin stays Active. Only a plugin that ignores the cancellation, or throws an
    /// exception that is not a contract answer, is marked Malfunctioned; it is then retried by itself with a backoff.
    /// </remarks>
    public async Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, TimeSpan timeout, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ArgumentNullException.ThrowIfNull(call);
        var (slot, instance) = await AcquireAsync(pluginId, cancellationToken).ConfigureAwait(false);
        try
        {
            if (instance.Plugin is not TPlugin typed)
            {
                throw new MiddlewareException(ErrorCode.PluginUnavailable, $"Plugin '{pluginId}' is not a {typeof(TPlugin).Name}.");
            }

            var outcome = await slot.Threads.RunAsync(instance.Workers, "a call", ct => call(typed, ct), timeout, _options.CancelGrace, cancellationToken)
                .ConfigureAwait(false);
            switch (outcome.End)
            {
                case PluginRunEnd.CallerLeft:
                    // The caller is gone; the plugin has the grace to notice its cancelled token, or its thread is abandoned.
                    Track(WatchAfterCallerLeftAsync(slot, instance, outcome.Run, outcome.Task));
                    throw new OperationCanceledException(cancellationToken);
                case PluginRunEnd.Hung or PluginRunEnd.Blocked:
                    var faulty = $"A call {NotReturned(outcome.End, timeout)}";
                    MarkMalfunctioned(slot, instance, faulty);
                    throw new MiddlewareException(ErrorCode.PluginTimeout, $"Plugin '{pluginId}': {faulty}");
                case PluginRunEnd.InGrace:
                    // A slow answer from whatever the plugin waits on; it honoured its token, so it stays in service.
                    throw new MiddlewareException(ErrorCode.PluginTimeout, $"Plugin '{pluginId}': the call did not finish within its {timeout.TotalSeconds:0.###} s budget.");
            }

            try
            {
                var result = await outcome.Task.ConfigureAwait(false);
                slot.ConsecutiveMalfunctions = 0;
                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (IsAnswer(ex))
            {
                throw;
            }
            catch (Exception ex)
            {
                // The plugin's exception is not kept (its type would keep the plugin's context alive).
                var reason = $"A call threw {PluginLoading.Describe(ex)}";
                MarkMalfunctioned(slot, instance, reason);
                throw new MiddlewareException(ErrorCode.PluginMalfunctioned, $"Plugin '{pluginId}': {reason}");
            }
        }
        finally
        {
            instance.Exit();
        }
    }

    /// <summary>After a caller gave up on a call: a plugin still blocking that thread past the grace is malfunctioning.</summary>
    private async Task WatchAfterCallerLeftAsync(PluginSlot slot, PluginInstance instance, PluginRun run, Task running)
    {
        await Task.WhenAny(running, Task.Delay(_options.CancelGrace, _time, _stopping.Token)).ConfigureAwait(false);
        if (!running.IsCompleted && !_stopping.IsCancellationRequested && slot.Threads.Abandon(run))
        {
            MarkMalfunctioned(slot, instance,
                $"A call blocked its thread for {_options.CancelGrace.TotalSeconds:0.###} s after its caller cancelled it; the thread is abandoned (.NET cannot abort a thread).");
        }
    }

    private static bool IsAnswer(Exception ex) =>
        ex is MiddlewareException || ex.GetType().Assembly == typeof(IPlugin).Assembly;

    private async Task<(PluginSlot Slot, PluginInstance Instance)> AcquireAsync(string pluginId, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            if (!_slots.TryGetValue(pluginId, out var slot) || slot.Removed)
            {
                throw new MiddlewareException(ErrorCode.PluginUnavailable, $"No plugin '{pluginId}' in plugins.json.");
            }

            if (slot.SwapGate is { } gate)
            {
                // A reload is in progress: wait for the new version rather than failing (bounded).
                var left = _options.ReloadWaitTimeout - _time.GetElapsedTime(start);
                try
                {
                    await gate.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    throw new MiddlewareException(ErrorCode.PluginUnavailable,
                        $"Plugin '{pluginId}' is being reloaded and was not back within {_options.ReloadWaitTimeout.TotalSeconds:0.###} s.");
                }

                continue;
            }

            var instance = slot.Active;
            if (instance is null)
            {
                var status = slot.Status;
                throw new MiddlewareException(
                    status.State == PluginState.Malfunctioned ? ErrorCode.PluginMalfunctioned : ErrorCode.PluginUnavailable,
                    $"Plugin '{pluginId}' is {status.State}: {status.Reason}");
            }

            if (instance.TryEnter())
            {
                return (slot, instance);
            }

            // The instance began draining between our two reads: its gate (or its removal) is visible now.
            await Task.Yield();
        }
    }

    private void MarkMalfunctioned(PluginSlot slot, PluginInstance instance, string reason)
    {
        if (!slot.TryDeactivate(instance))
        {
            // Already replaced or retired: the failure belongs to an old version.
            _logger.LogWarning("Old version {Version} of plugin {PluginId} failed after being replaced: {Reason}", instance.Version, slot.Entry.Id, reason);
            return;
        }

        _logger.LogError("Plugin {PluginId} {Version} malfunctioned: {Reason}", slot.Entry.Id, instance.Version, reason);
        Publish(slot.SetStatus(PluginState.Malfunctioned, instance.Version, reason, _time.GetUtcNow()));
        Track(Task.Run(async () =>
        {
            await slot.Lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await RetireAsync(slot, instance, "malfunctioned").ConfigureAwait(false);
            }
            finally
            {
                slot.Lifecycle.Release();
            }
        }));
        ScheduleRecovery(slot);
    }

    /// <summary>
    /// Brings a Malfunctioned plugin back by itself: a fresh load after <see cref="PluginHostOptions.MalfunctionRetryDelay"/>,
    /// doubling after each further malfunction up to <see cref="PluginHostOptions.MalfunctionRetryMaxDelay"/>. A
    /// malfunction is never a plugin's end for the day; a plugin whose files are rejected waits for a file change instead.
    /// </summary>
    private void ScheduleRecovery(PluginSlot slot)
    {
        var blocked = slot.Threads.Blocked;
        if (blocked >= _options.MaxBlockedThreads)
        {
            // Each retry of a plugin that blocks could leave one more thread that can never be aborted: stop here.
            slot.RecoveryPaused = true;
            var status = slot.Status;
            _logger.LogError("Plugin {PluginId} is not reloaded automatically: {Blocked} of its threads are blocked in its code (limit {Limit})",
                slot.Entry.Id, blocked, _options.MaxBlockedThreads);
            Publish(slot.SetStatus(status.State, status.Version,
                $"{status.Reason} Not reloaded automatically while {blocked} of its threads stay blocked in its code (limit {_options.MaxBlockedThreads}); " +
                "it is retried when one returns, on plugins.enable or when its files change.", _time.GetUtcNow()));
            return;
        }

        slot.RecoveryPaused = false;
        var failures = Math.Min(++slot.ConsecutiveMalfunctions, 16);
        var delay = TimeSpan.FromTicks(Math.Min(_options.MalfunctionRetryMaxDelay.Ticks, _options.MalfunctionRetryDelay.Ticks * (1L << (failures - 1))));
        var generation = Interlocked.Increment(ref slot.RecoveryGeneration);
        _logger.LogWarning("Plugin {PluginId} will be reloaded in {Delay} (malfunction {Count} in a row)", slot.Entry.Id, delay, failures);
        Track(Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
                await slot.Lifecycle.WaitAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (generation == Volatile.Read(ref slot.RecoveryGeneration) && !slot.Removed && slot.Entry.Enabled && !slot.OperatorDisabled
                    && slot.Active is null && slot.Status.State == PluginState.Malfunctioned)
                {
                    // A failed start schedules the next retry itself (LoadAndSwapAsync).
                    await LoadAndSwapAsync(slot, "automatic retry after a malfunction").ConfigureAwait(false);
                }
            }
            finally
            {
                slot.Lifecycle.Release();
            }
        }));
    }

    /// <summary>An abandoned thread came back from the plugin: a paused automatic retry may go ahead now.</summary>
    private void OnBlockedThreadEnded(PluginSlot slot)
    {
        if (slot.RecoveryPaused && slot.Threads.Blocked < _options.MaxBlockedThreads && !_stopping.IsCancellationRequested
            && slot.Active is null && slot.Status.State == PluginState.Malfunctioned)
        {
            _logger.LogInformation("Plugin {PluginId}: a blocked thread returned; its automatic reload is scheduled again", slot.Entry.Id);
            ScheduleRecovery(slot);
        }
    }

    // ------------------------------------------------------------------ configuration

    /// <inheritdoc />
    public Task ApplyConfigurationAsync(CancellationToken cancellationToken) => ApplyConfigurationCoreAsync(initial: false, cancellationToken);

    private async Task ApplyConfigurationCoreAsync(bool initial, CancellationToken cancellationToken)
    {
        await _configLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<PluginEntry> entries;
            try
            {
                if (!File.Exists(_pluginsFile))
                {
                    if (initial)
                    {
                        _logger.LogWarning("No plugins file at {PluginsFile}: running without plugins", _pluginsFile);
                        entries = [];
                    }
                    else
                    {
                        _logger.LogWarning("{PluginsFile} disappeared: keeping the current plugins", _pluginsFile);
                        return;
                    }
                }
                else
                {
                    entries = PluginsFile.Read(_pluginsFile);
                }
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                _logger.LogError("{PluginsFile} rejected, keeping the current plugins: {Reason}", _pluginsFile, ex.Message);
                return;
            }

            var ids = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var slot in _slots.Values.Where(s => !ids.Contains(s.Entry.Id)).ToList())
            {
                await RemoveSlotAsync(slot).ConfigureAwait(false);
            }

            foreach (var entry in entries)
            {
                if (_slots.TryGetValue(entry.Id, out var slot))
                {
                    if (!slot.Entry.SameAs(entry))
                    {
                        await ApplyEntryAsync(slot, entry, "plugins.json changed", cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    slot = NewSlot(entry);
                    _slots[entry.Id] = slot;
                    _order = [.. _order, entry.Id];
                    await ApplyEntryAsync(slot, entry, "listed in plugins.json", cancellationToken).ConfigureAwait(false);
                }
            }

            _order = [.. entries.Select(e => e.Id)];
        }
        finally
        {
            _configLock.Release();
        }
    }

    private PluginSlot NewSlot(PluginEntry entry)
    {
        var threads = new PluginThreads(entry.Id, _time, _logger);
        var slot = new PluginSlot(entry, _time.GetUtcNow(), threads);
        threads.BlockedThreadEnded = () => OnBlockedThreadEnded(slot);
        return slot;
    }

    private async Task RemoveSlotAsync(PluginSlot slot)
    {
        await slot.Lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            slot.Removed = true;
            slot.DisposeWatchers();
            _logger.LogInformation("Plugin {PluginId} removed from plugins.json", slot.Entry.Id);
            await RetireActiveAsync(slot, "removed from plugins.json").ConfigureAwait(false);
            _slots.TryRemove(slot.Entry.Id, out _);
            _order = _order.Remove(slot.Entry.Id);
        }
        finally
        {
            slot.Lifecycle.Release();
        }
    }

    private async Task ApplyEntryAsync(PluginSlot slot, PluginEntry entry, string cause, CancellationToken cancellationToken)
    {
        await slot.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Removed)
            {
                return;
            }

            var folderChanged = !string.Equals(slot.Entry.Folder, entry.Folder, StringComparison.Ordinal);
            slot.Entry = entry;
            if (!entry.Enabled)
            {
                slot.DisposeWatchers();
                var version = slot.Active?.Version;
                Publish(slot.SetStatus(PluginState.Disabled, version, "Disabled in plugins.json.", _time.GetUtcNow()));
                await RetireActiveAsync(slot, "disabled in plugins.json").ConfigureAwait(false);
                _logger.LogInformation("Plugin {PluginId} disabled", entry.Id);
                return;
            }

            if (_options.WatchForChanges && (folderChanged || slot.Watchers.Count == 0))
            {
                ArmWatchers(slot);
            }

            if (slot.OperatorDisabled)
            {
                return; // plugins.json changed meanwhile: applied when the operator enables it again
            }

            await LoadAndSwapAsync(slot, cause).ConfigureAwait(false);
        }
        finally
        {
            slot.Lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async Task<PluginStatusInfo> ReloadAsync(string pluginId, CancellationToken cancellationToken)
    {
        if (!_slots.TryGetValue(pluginId, out var slot))
        {
            throw new MiddlewareException(ErrorCode.PluginUnavailable, $"No plugin '{pluginId}' in plugins.json.");
        }

        await slot.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!slot.Removed && slot.Entry.Enabled && !slot.OperatorDisabled)
            {
                slot.ConsecutiveMalfunctions = 0;
                await LoadAndSwapAsync(slot, "reload requested").ConfigureAwait(false);
            }

            return slot.Status;
        }
        finally
        {
            slot.Lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async Task<PluginStatusInfo> DisableAsync(string pluginId, CancellationToken cancellationToken)
    {
        var slot = SlotOrThrow(pluginId);
        await slot.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            slot.OperatorDisabled = true;
            Interlocked.Increment(ref slot.RecoveryGeneration); // cancels a scheduled automatic retry
            var version = slot.Active?.Version ?? slot.Status.Version;
            await RetireActiveAsync(slot, "disabled by an operator").ConfigureAwait(false);
            _logger.LogWarning("Plugin {PluginId} disabled by an operator (until plugins.enable or a restart)", pluginId);
            Publish(slot.SetStatus(PluginState.Disabled, version, "Disabled by an operator (plugins.enable brings it back).", _time.GetUtcNow()));
            return slot.Status;
        }
        finally
        {
            slot.Lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async Task<PluginStatusInfo> EnableAsync(string pluginId, CancellationToken cancellationToken)
    {
        var slot = SlotOrThrow(pluginId);
        await slot.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!slot.Entry.Enabled)
            {
                throw new MiddlewareException(ErrorCode.InvalidRequest, $"Plugin '{pluginId}' is disabled in plugins.json: enable it there (\"enabled\": true).");
            }

            var wasDisabled = slot.OperatorDisabled;
            slot.OperatorDisabled = false;
            slot.ConsecutiveMalfunctions = 0;
            if (slot.Active is null)
            {
                _logger.LogWarning("Plugin {PluginId} enabled by an operator", pluginId);
                await LoadAndSwapAsync(slot, wasDisabled ? "enabled by an operator" : "enable requested").ConfigureAwait(false);
            }

            return slot.Status;
        }
        finally
        {
            slot.Lifecycle.Release();
        }
    }

    private PluginSlot SlotOrThrow(string pluginId) =>
        pluginId is not null && _slots.TryGetValue(pluginId, out var slot) && !slot.Removed
            ? slot
            : throw new MiddlewareException(ErrorCode.PluginUnavailable, $"No plugin '{pluginId}' in plugins.json.");

    private async Task ReloadFromFilesAsync(PluginSlot slot, CancellationToken cancellationToken)
    {
        await slot.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Removed || !slot.Entry.Enabled || slot.OperatorDisabled)
            {
                return;
            }

            // The folder itself may have been replaced (deploy-to-new-folder-and-swap): watch the new one.
            ArmWatchers(slot);
            var fingerprint = PluginLoading.Fingerprint(slot.Entry.Folder);
            if (slot.Active is { Loaded: { } loaded } active && loaded.SourceFingerprint == fingerprint)
            {
                if (slot.Status.Reason is not null)
                {
                    // The rejected files were put back as they were: nothing left to explain.
                    Publish(slot.SetStatus(PluginState.Active, active.Version, null, _time.GetUtcNow()));
                }

                return;
            }

            await LoadAndSwapAsync(slot, "plugin files changed").ConfigureAwait(false);
        }
        finally
        {
            slot.Lifecycle.Release();
        }
    }

    // ------------------------------------------------------------------ load, swap, retire

    /// <summary>Shadow-copies and verifies the plugin's folder, then swaps it in (caller holds the slot's lifecycle lock).</summary>
    private async Task LoadAndSwapAsync(PluginSlot slot, string cause)
    {
        var entry = slot.Entry;
        var (candidate, failure) = await LoadCandidateAsync(slot, entry, entry.Folder).ConfigureAwait(false);
        if (candidate is null)
        {
            Reject(slot, failure!, cause);
            return;
        }

        var old = slot.Active;
        if (old is null)
        {
            var (started, startFailure) = await StartInstanceAsync(slot, candidate, entry).ConfigureAwait(false);
            if (started is null)
            {
                _logger.LogError("Plugin {PluginId} failed to start: {Reason}", entry.Id, startFailure);
                Publish(slot.SetStatus(PluginState.Malfunctioned, candidate.Metadata.Version, startFailure, _time.GetUtcNow()));
                ScheduleRecovery(slot);
                return;
            }

            slot.Activate(started);
            _logger.LogInformation("Plugin {PluginId} {Version} active ({Cause})", entry.Id, started.Version, cause);
            Publish(slot.SetStatus(PluginState.Active, started.Version, null, _time.GetUtcNow()));
            return;
        }

        // Swap: new calls wait at the gate; in-flight calls finish (bounded); the old version stops and unloads.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slot.SwapGate = gate;
        var watch = Stopwatch.StartNew();
        try
        {
            slot.TryDeactivate(old);
            var (oldLoaded, blocked) = await QuiesceAndStopAsync(slot, old, $"replaced ({cause})").ConfigureAwait(false);
            var superseded = slot.AddSuperseded(old.Version, _time.GetUtcNow());
            Unload(slot, oldLoaded, old.Version, superseded, startProof: false);

            if (blocked is not null)
            {
                // The old version never finished stopping: it may still hold its devices, so the new one is not started
                // next to it now; the automatic retry starts it (fresh) later.
                PluginLoading.Discard(candidate.Loader);
                PluginLoading.TryDelete(candidate.ShadowDirectory);
                var reason = $"Version {old.Version}: {blocked} Version {candidate.Metadata.Version} was not started next to it.";
                _logger.LogError("Plugin {PluginId} malfunctioned while being replaced: {Reason}", entry.Id, reason);
                Publish(slot.SetStatus(PluginState.Malfunctioned, old.Version, reason, _time.GetUtcNow()));
                ScheduleRecovery(slot);
            }
            else
            {
                var (started, startFailure) = await StartInstanceAsync(slot, candidate, entry).ConfigureAwait(false);
                if (started is not null)
                {
                    slot.Activate(started);
                    _logger.LogInformation("Plugin {PluginId} swapped {OldVersion} -> {Version} in {ElapsedMs} ms ({Cause})",
                        entry.Id, old.Version, started.Version, watch.ElapsedMilliseconds, cause);
                    Publish(slot.SetStatus(PluginState.Active, started.Version, null, _time.GetUtcNow()));
                }
                else
                {
                    await RollBackAsync(slot, old, oldLoaded, candidate.Metadata.Version, startFailure!).ConfigureAwait(false);
                }
            }

            if (oldLoaded is not null)
            {
                StartUnloadProof(slot, oldLoaded.ContextReference, oldLoaded.ShadowDirectory, old.Version, superseded);
            }
        }
        finally
        {
            slot.SwapGate = null;
            gate.TrySetResult();
        }
    }

    private async Task<(LoadedPlugin? Plugin, LoadFailure? Failure)> LoadCandidateAsync(PluginSlot slot, PluginEntry entry, string sourceFolder)
    {
        var (directory, fingerprint, copyFailure) = PluginLoading.ShadowCopy(sourceFolder, _shadowRoot, entry.Id);
        if (directory is null)
        {
            return (null, copyFailure);
        }

        // Loading runs the plugin's code (module initialisers, static and instance constructors, Metadata): on its
        // own thread, bounded like a start.
        var place = new StrongBox<string?>("loading its assemblies and types");
        var outcome = await slot.Threads.RunAsync(null, "loading",
            _ => Task.FromResult(PluginLoading.Load(entry, directory, fingerprint, place)),
            _options.StartTimeout, _options.CancelGrace, CancellationToken.None).ConfigureAwait(false);
        if (outcome.Finished && outcome.Task.IsCompletedSuccessfully)
        {
            var (loaded, failure) = outcome.Task.Result;
            if (loaded is null)
            {
                PluginLoading.TryDelete(directory);
            }

            return (loaded, failure);
        }

        if (outcome.Finished)
        {
            // Load catches what a plugin throws; this is the host failing (out of memory, for instance).
            PluginLoading.TryDelete(directory);
            return (null, new LoadFailure(PluginState.Malfunctioned,
                $"Loading failed: {PluginLoading.Describe(outcome.Task.Exception?.InnerException ?? new TaskCanceledException())}"));
        }

        // Should it ever return, what it loaded is thrown away.
        _ = outcome.Task.ContinueWith(static (t, state) =>
        {
            if (t.IsCompletedSuccessfully && t.Result.Plugin is { } late)
            {
                PluginLoading.Discard(late.Loader);
            }

            PluginLoading.TryDelete((string)state!);
        }, directory, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var where = Volatile.Read(ref place.Value) ?? "?";
        return (null, new LoadFailure(PluginState.Malfunctioned,
            $"Loading blocked its thread in {where} past the {_options.StartTimeout.TotalSeconds:0.###} s start timeout and the {_options.CancelGrace.TotalSeconds:0.###} s grace; the thread is abandoned (.NET cannot abort a thread)."));
    }

    private void Reject(PluginSlot slot, LoadFailure failure, string cause)
    {
        if (slot.Active is { } active)
        {
            // A broken or half-copied new version never replaces a working one.
            var reason = $"Version {active.Version} keeps serving; the new files were rejected: {failure.Reason}";
            _logger.LogWarning("Plugin {PluginId}: new files rejected ({Cause}), {Version} keeps serving: {Reason}",
                slot.Entry.Id, cause, active.Version, failure.Reason);
            Publish(slot.SetStatus(PluginState.Active, active.Version, reason, _time.GetUtcNow()));
        }
        else
        {
            _logger.LogError("Plugin {PluginId} not loaded ({Cause}): {State} {Reason}", slot.Entry.Id, cause, failure.State, failure.Reason);
            Publish(slot.SetStatus(failure.State, null, failure.Reason, _time.GetUtcNow()));
        }
    }

    private async Task RollBackAsync(PluginSlot slot, PluginInstance old, LoadedPlugin? oldLoaded, string newVersion, string startFailure)
    {
        _logger.LogError("Plugin {PluginId} {Version} failed to start ({Reason}); rolling back to {OldVersion}",
            slot.Entry.Id, newVersion, startFailure, old.Version);
        if (oldLoaded is not null)
        {
            var (again, failure) = await LoadCandidateAsync(slot, old.Entry, oldLoaded.ShadowDirectory).ConfigureAwait(false);
            if (again is not null)
            {
                var (restarted, restartFailure) = await StartInstanceAsync(slot, again, old.Entry).ConfigureAwait(false);
                if (restarted is not null)
                {
                    slot.Activate(restarted);
                    Publish(slot.SetStatus(PluginState.Active, restarted.Version,
                        $"Version {restarted.Version} keeps serving; version {newVersion} failed to start: {startFailure}", _time.GetUtcNow()));
                    return;
                }

                failure = new LoadFailure(PluginState.Malfunctioned, restartFailure!);
            }

            _logger.LogError("Plugin {PluginId}: rollback to {OldVersion} failed: {Reason}", slot.Entry.Id, old.Version, failure?.Reason);
        }

        Publish(slot.SetStatus(PluginState.Malfunctioned, newVersion, startFailure, _time.GetUtcNow()));
        ScheduleRecovery(slot);
    }

    private async Task<(PluginInstance? Instance, string? Failure)> StartInstanceAsync(PluginSlot slot, LoadedPlugin candidate, PluginEntry entry)
    {
        var pluginLogger = _loggerFactory.CreateLogger($"Plugin.{entry.Id}");
        var sink = new PluginEventSink(_hub, entry.Id, _logger);
        var context = new PluginContext(pluginLogger, _time, entry.Settings, candidate.ShadowDirectory, _services, sink);
        var instance = new PluginInstance(candidate, context, entry);
        var plugin = candidate.Plugin;
        var outcome = await slot.Threads.RunAsync(instance.Workers, "StartAsync", ct => plugin.StartAsync(context, ct), _options.StartTimeout, _options.CancelGrace,
            CancellationToken.None).ConfigureAwait(false);
        if (outcome.End == PluginRunEnd.InBudget && outcome.Task.IsCompletedSuccessfully)
        {
            return (instance, null);
        }

        var reason = outcome.End switch
        {
            PluginRunEnd.InBudget => $"StartAsync threw {PluginLoading.Describe(outcome.Task.Exception?.InnerException ?? new TaskCanceledException())}",
            PluginRunEnd.Blocked =>
                $"StartAsync blocked its thread past the {_options.StartTimeout.TotalSeconds:0.###} s start timeout and the {_options.CancelGrace.TotalSeconds:0.###} s grace; the thread is abandoned (.NET cannot abort a thread).",
            _ => $"StartAsync did not finish within the {_options.StartTimeout.TotalSeconds:0.###} s start timeout.",
        };
        var (loaded, _) = await StopAndReleaseAsync(slot, instance).ConfigureAwait(false);
        Unload(slot, loaded, instance.Version, superseded: null, startProof: true);
        return (null, reason);
    }

    /// <summary>Refuses new calls to <paramref name="instance"/>, waits for in-flight ones (bounded), stops it.</summary>
    private async Task<(LoadedPlugin? Loaded, string? Blocked)> QuiesceAndStopAsync(PluginSlot slot, PluginInstance instance, string why)
    {
        instance.BeginDrain();
        try
        {
            await instance.Drained.WaitAsync(_options.DrainTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Plugin {PluginId} {Version}: {InFlight} calls still running after {DrainTimeout}; stopping it anyway",
                slot.Entry.Id, instance.Version, instance.InFlight, _options.DrainTimeout);
        }

        _logger.LogInformation("Stopping plugin {PluginId} {Version}: {Why}", slot.Entry.Id, instance.Version, why);
        return await StopAndReleaseAsync(slot, instance).ConfigureAwait(false);
    }

    /// <summary>Stops the instance and disposes the plugin object (bounded, on the plugin's own thread) and drops the
    /// host's references to it. <c>Blocked</c> says where the plugin blocked its thread, if it did.</summary>
    private async Task<(LoadedPlugin? Loaded, string? Blocked)> StopAndReleaseAsync(PluginSlot slot, PluginInstance instance)
    {
        var plugin = instance.Plugin;
        var context = instance.Context;
        string? blocked = null;
        if (plugin is not null && context is not null)
        {
            var place = new StrongBox<string?>("its Stopping callbacks");
            var outcome = await slot.Threads.RunAsync(instance.Workers, "StopAsync", async ct =>
            {
                context.SignalStopping(); // runs the plugin's callbacks on Stopping
                Volatile.Write(ref place.Value, "StopAsync");
                await plugin.StopAsync(ct).ConfigureAwait(false);
                Volatile.Write(ref place.Value, "Dispose");
                if (plugin is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                }
                else if (plugin is IDisposable disposable)
                {
                    disposable.Dispose();
                }
            }, _options.StopTimeout, _options.CancelGrace, CancellationToken.None).ConfigureAwait(false);
            var where = Volatile.Read(ref place.Value) ?? "?";
            if (outcome.End == PluginRunEnd.Blocked)
            {
                blocked = $"{where} blocked its thread past the {_options.StopTimeout.TotalSeconds:0.###} s stop timeout and the {_options.CancelGrace.TotalSeconds:0.###} s grace; the thread is abandoned (.NET cannot abort a thread).";
                _logger.LogError("Plugin {PluginId} {Version}: {Reason}", slot.Entry.Id, instance.Version, blocked);
            }
            else if (!outcome.Finished || !outcome.Task.IsCompletedSuccessfully)
            {
                // It may still hold a device; the host unloads it anyway and says so.
                _logger.LogWarning("Plugin {PluginId} {Version} did not stop cleanly: {Reason}", slot.Entry.Id, instance.Version,
                    outcome.Finished && outcome.Task.Exception?.InnerException is { } ex
                        ? $"{where} threw {PluginLoading.Describe(ex)}"
                        : $"{where} exceeded {_options.StopTimeout}");
            }

            context.CloseSink();
        }

        instance.Workers.Close(); // no thread that ran this version's code outlives it (they could pin its context)
        return (instance.Release(), blocked);
    }

    /// <summary>Takes the active instance out of service and unloads it (caller holds the lifecycle lock).</summary>
    private async Task RetireActiveAsync(PluginSlot slot, string why)
    {
        if (slot.Active is { } instance)
        {
            slot.TryDeactivate(instance);
            await RetireAsync(slot, instance, why).ConfigureAwait(false);
        }
    }

    private async Task RetireAsync(PluginSlot slot, PluginInstance instance, string why)
    {
        // A plugin blocking in StopAsync or Dispose here is logged (StopAndReleaseAsync); its status is already what
        // the retirement says (Malfunctioned, Disabled, removed).
        var (loaded, _) = await QuiesceAndStopAsync(slot, instance, why).ConfigureAwait(false);
        Unload(slot, loaded, instance.Version, superseded: null, startProof: true);
    }

    private void Unload(PluginSlot slot, LoadedPlugin? loaded, string version, PluginStatusInfo? superseded, bool startProof)
    {
        if (loaded is null)
        {
            return;
        }

        Interlocked.Increment(ref _pendingUnloads);
        try
        {
            loaded.Loader.Dispose();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Unloading plugin {PluginId} {Version} threw", slot.Entry.Id, version);
        }

        if (startProof)
        {
            StartUnloadProof(slot, loaded.ContextReference, loaded.ShadowDirectory, version, superseded);
        }
    }

    private void StartUnloadProof(PluginSlot slot, WeakReference context, string shadowDirectory, string version, PluginStatusInfo? superseded)
    {
        var id = slot.Entry.Id;
        Track(Task.Run(() => ProveUnloadedAsync(slot, id, context, shadowDirectory, version, superseded)));
    }

    /// <summary>Runs full garbage collections until the old context's weak reference is dead (bounded, real time:
    /// only real collections can prove it).</summary>
    private async Task ProveUnloadedAsync(PluginSlot slot, string id, WeakReference context, string shadowDirectory, string version, PluginStatusInfo? superseded)
    {
        var watch = Stopwatch.StartNew();
        var passes = 0;
        var unloaded = false;
        while (true)
        {
            passes++;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (!context.IsAlive)
            {
                unloaded = true;
                break;
            }

            if (watch.Elapsed >= _options.UnloadTimeout)
            {
                break;
            }

            await Task.Delay(passes < 10 ? 10 : 100, CancellationToken.None).ConfigureAwait(false);
        }

        var record = new PluginUnloadRecord(id, version, unloaded, passes, watch.Elapsed, _time.GetUtcNow());
        _unloads.Enqueue(record);
        while (_unloads.Count > UnloadHistorySize && _unloads.TryDequeue(out _))
        {
        }

        if (unloaded)
        {
            PluginLoading.TryDelete(shadowDirectory);
            _logger.LogInformation("Plugin {PluginId} {Version} unloaded (proven after {GcPasses} collections, {ElapsedMs} ms)",
                id, version, passes, watch.ElapsedMilliseconds);
            if (superseded is not null)
            {
                slot.UpdateSuperseded(superseded, null);
            }
        }
        else
        {
            _logger.LogError("Plugin {PluginId} {Version} did NOT unload within {UnloadTimeout}: something still references it (a thread, timer or event subscription it left behind)",
                id, version, _options.UnloadTimeout);
            if (superseded is not null)
            {
                slot.UpdateSuperseded(superseded, superseded with
                {
                    Reason = $"Not unloaded after {_options.UnloadTimeout.TotalSeconds:0.###} s: it still holds a thread, timer or subscription.",
                });
            }
        }

        Interlocked.Decrement(ref _pendingUnloads);
    }

    // ------------------------------------------------------------------ watching

    private void StartConfigWatcher()
    {
        var directory = Path.GetDirectoryName(_pluginsFile)!;
        _configDebouncer = new Debouncer(_time, _options.Debounce, ct => ApplyConfigurationCoreAsync(initial: false, ct), _logger,
            _pluginsFile, Track, _stopping.Token);
        try
        {
            var watcher = new FileSystemWatcher(directory, Path.GetFileName(_pluginsFile))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, _) => _configDebouncer.Signal();
            watcher.Created += (_, _) => _configDebouncer.Signal();
            watcher.Renamed += (_, _) => _configDebouncer.Signal();
            watcher.Error += (_, e) => _logger.LogWarning(e.GetException(), "Watching {PluginsFile} failed", _pluginsFile);
            watcher.EnableRaisingEvents = true;
            _configWatcher = watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Cannot watch {PluginsFile}: changes apply only after a restart", _pluginsFile);
        }
    }

    private void ArmWatchers(PluginSlot slot)
    {
        if (!_options.WatchForChanges || _stopping.IsCancellationRequested)
        {
            return;
        }

        slot.DisposeWatchers();
        slot.FileDebouncer ??= new Debouncer(_time, _options.Debounce, ct => ReloadFromFilesAsync(slot, ct), _logger,
            slot.Entry.Id, Track, _stopping.Token);
        var debouncer = slot.FileDebouncer;
        var folder = slot.Entry.Folder;
        try
        {
            if (Directory.Exists(folder))
            {
                var inside = new FileSystemWatcher(folder)
                {
                    IncludeSubdirectories = true,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                Hook(inside, debouncer);
                slot.Watchers.Add(inside);
            }

            // The folder itself appearing, disappearing or being swapped for another.
            var parent = Path.GetDirectoryName(folder);
            if (parent is not null && Directory.Exists(parent))
            {
                var outside = new FileSystemWatcher(parent, Path.GetFileName(folder))
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName,
                };
                Hook(outside, debouncer);
                slot.Watchers.Add(outside);
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Cannot watch the folder of plugin {PluginId}: its changes apply only on request", slot.Entry.Id);
        }
    }

    private void Hook(FileSystemWatcher watcher, Debouncer debouncer)
    {
        watcher.Changed += (_, _) => debouncer.Signal();
        watcher.Created += (_, _) => debouncer.Signal();
        watcher.Deleted += (_, _) => debouncer.Signal();
        watcher.Renamed += (_, _) => debouncer.Signal();
        watcher.Error += (_, _) => debouncer.Signal();
        watcher.EnableRaisingEvents = true;
    }

    private void Publish(PluginStatusInfo status)
    {
        var handler = StatusChanged;
        if (handler is null)
        {
            return;
        }

        foreach (var d in handler.GetInvocationList())
        {
            try
            {
                ((EventHandler<PluginStatusInfo>)d)(this, status);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "A plugin status observer threw");
            }
        }
    }
}
