using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Middleware.Scripting.Engine;

/// <summary>
/// Compiles every script at start-up, then reloads on edit: file-system events are debounced (editors save in
/// several writes; a half-written file must not be compiled) and a failed compile leaves the previous version
/// serving. A roll-out (<c>mwctl scripts deploy|rollback</c>) replaces the whole folder at once by renaming a link (or
/// a folder) onto the scripts root's name: the watch of the old folder would see nothing of that, so the root's
/// parent is watched for that name too, and on such a swap the folder's watch starts again on the new one.
/// </summary>
internal sealed class ScriptWatcher(IScriptEngine engine, IOptions<ScriptingOptions> options, TimeProvider time, ILogger<ScriptWatcher> logger)
    : IHostedService, IDisposable
{
    private readonly Lock gate = new();
    private FileSystemWatcher? watcher;
    private FileSystemWatcher? parentWatcher;
    private ITimer? timer;
    private bool stopped;

    /// <summary>Raised after each debounced reload (tests wait on it instead of sleeping).</summary>
    public event Action? Reloaded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.ReloadAll();
        if (options.Value.WatchForChanges)
        {
            WatchRoot();
            WatchParent();
        }

        return Task.CompletedTask;
    }

    private void WatchRoot()
    {
        var root = options.Value.ResolvedRoot;
        lock (gate)
        {
            watcher?.Dispose();
            watcher = null;
            if (stopped || !Directory.Exists(root))
            {
                return;
            }

            watcher = new FileSystemWatcher(root)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.DirectoryName | NotifyFilters.Size,
            };
            watcher.Changed += OnChange;
            watcher.Created += OnChange;
            watcher.Deleted += OnChange;
            watcher.Renamed += OnChange;
            watcher.Error += (_, e) => logger.LogWarning(e.GetException(), "Script folder watcher error; reloading everything");
            watcher.EnableRaisingEvents = true;
        }
    }

    private void WatchParent()
    {
        var root = Path.TrimEndingDirectorySeparator(options.Value.ResolvedRoot);
        if (Path.GetDirectoryName(root) is not { } parent || !Directory.Exists(parent))
        {
            return;
        }

        parentWatcher = new FileSystemWatcher(parent, Path.GetFileName(root))
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
        };
        parentWatcher.Created += OnRootSwapped;
        parentWatcher.Deleted += OnRootSwapped;
        parentWatcher.Renamed += OnRootSwapped;
        parentWatcher.EnableRaisingEvents = true;
    }

    private void OnRootSwapped(object sender, FileSystemEventArgs e)
    {
        logger.LogInformation("Scripts folder {Root} was replaced ({Change}); watching the new one", options.Value.ResolvedRoot, e.ChangeType);
        WatchRoot();
        Schedule();
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        var name = Path.GetFileName(e.FullPath);
        if (!name.EndsWith(".csx", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            && Path.HasExtension(name))
        {
            return;
        }

        Schedule();
    }

    private void Schedule()
    {
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            var due = TimeSpan.FromMilliseconds(options.Value.DebounceMilliseconds);
            timer ??= time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        try
        {
            engine.ReloadAll();
        }
        catch (Exception ex)
        {
            // The watcher must never take the host down; the previous versions keep serving.
            logger.LogError(ex, "Reloading scripts failed");
        }

        Reloaded?.Invoke();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (gate)
        {
            stopped = true;
            parentWatcher?.Dispose();
            parentWatcher = null;
            watcher?.Dispose();
            watcher = null;
            timer?.Dispose();
            timer = null;
        }
    }
}
