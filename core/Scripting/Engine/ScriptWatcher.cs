using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Middleware.Scripting.Engine;

/// <summary>
/// Compiles every script at start-up, then reloads on edit: file-system events are debounced (editors save in
/// several writes; a half-written file must not be compiled) and a failed compile leaves the previous version
/// serving.
/// </summary>
internal sealed class ScriptWatcher(IScriptEngine engine, IOptions<ScriptingOptions> options, TimeProvider time, ILogger<ScriptWatcher> logger)
    : IHostedService, IDisposable
{
    private readonly Lock gate = new();
    private FileSystemWatcher? watcher;
    private ITimer? timer;

    /// <summary>Raised after each debounced reload (tests wait on it instead of sleeping).</summary>
    public event Action? Reloaded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.ReloadAll();
        var root = options.Value.ResolvedRoot;
        if (options.Value.WatchForChanges && Directory.Exists(root))
        {
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

        return Task.CompletedTask;
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        var name = Path.GetFileName(e.FullPath);
        if (!name.EndsWith(".csx", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            && Path.HasExtension(name))
        {
            return;
        }

        lock (gate)
        {
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
        watcher?.Dispose();
        watcher = null;
        timer?.Dispose();
        timer = null;
    }
}
