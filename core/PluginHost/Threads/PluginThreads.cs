using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Middleware.PluginHost.Threads;

/// <summary>
/// Runs every entry into one plugin's code on a thread of the plugin's own (<see cref="PluginWorkers"/>), so that a plugin blocking synchronously
/// (Thread.Sleep, a blocking read, a spin loop before its first await) blocks that thread and never the host's.
/// The host waits for it with its own timers, at most budget + grace. A thread still inside the plugin then is
/// abandoned: .NET cannot abort a thread, so it runs on (keeping the plugin's load context alive) until the plugin
/// returns; <see cref="Blocked"/> counts those, and the catalog stops retrying a plugin that leaves too many.
/// </summary>
/// <remarks>A blocked plugin never holds a thread the host or another plugin needs. What the plugin runs after its
/// first real await runs on the shared thread pool, as any async code does.</remarks>
internal sealed class PluginThreads(string pluginId, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<PluginRun, byte> _blocked = new();

    /// <summary>Called (on the returning thread) when an abandoned thread finally comes back from the plugin.</summary>
    public Action? BlockedThreadEnded { get; set; }

    /// <summary>Abandoned threads still inside the plugin's code.</summary>
    public int Blocked => _blocked.Count;

    public IReadOnlyList<BlockedPluginThread> Snapshot() =>
        [.. _blocked.Keys.Select(r => new BlockedPluginThread(pluginId, r.Place, r.StartedAt)).OrderBy(b => b.Since)];

    /// <summary>Runs <paramref name="code"/> on one of <paramref name="workers"/> (the started version's threads; null: a
    /// thread of its own, for loading) and gives the plugin a token the host cancels when
    /// <paramref name="budget"/> runs out or the caller's token is cancelled; waits at most budget + grace.</summary>
    public async Task<PluginRunOutcome<T>> RunAsync<T>(PluginWorkers? workers, string place, Func<CancellationToken, Task<T>> code, TimeSpan budget, TimeSpan grace, CancellationToken callerToken)
    {
        // The plugin's token is never linked to the caller's or to a timer: cancelling runs the plugin's callbacks
        // inline, so the host cancels it with CancelAsync (callbacks on the thread pool) and never waits on it.
        var pluginCancel = new CancellationTokenSource();
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        var budgetEnd = Task.Delay(budget, time, timers.Token);
        var (run, completion) = Start(workers, place, () => code(pluginCancel.Token));
        try
        {
            await Task.WhenAny(completion, budgetEnd).ConfigureAwait(false);
            if (completion.IsCompleted)
            {
                // Not disposed: the plugin may keep the token; a source without a timer holds nothing to release.
                return new(PluginRunEnd.InBudget, completion, run);
            }

            _ = pluginCancel.CancelAsync();
            if (callerToken.IsCancellationRequested)
            {
                return new(PluginRunEnd.CallerLeft, completion, run);
            }

            await Task.WhenAny(completion, Task.Delay(grace, time, timers.Token)).ConfigureAwait(false);
            if (completion.IsCompleted)
            {
                return new(PluginRunEnd.InGrace, completion, run);
            }

            if (callerToken.IsCancellationRequested)
            {
                return new(PluginRunEnd.CallerLeft, completion, run);
            }

            return new(Abandon(run) ? PluginRunEnd.Blocked : PluginRunEnd.Hung, completion, run);
        }
        finally
        {
            timers.Cancel(); // ends the timers left (host callbacks only)
        }
    }

    /// <inheritdoc cref="RunAsync{T}(PluginWorkers, string, Func{CancellationToken, Task{T}}, TimeSpan, TimeSpan, CancellationToken)"/>
    public Task<PluginRunOutcome<bool>> RunAsync(PluginWorkers? workers, string place, Func<CancellationToken, Task> code, TimeSpan budget, TimeSpan grace, CancellationToken callerToken) =>
        RunAsync(workers, place, async ct =>
        {
            await code(ct).ConfigureAwait(false);
            return true;
        }, budget, grace, callerToken);

    /// <summary>Gives up on a thread still inside the plugin (after its caller left, for instance); false when it has
    /// returned.</summary>
    public bool Abandon(PluginRun run)
    {
        if (!run.TryAbandon())
        {
            return false;
        }

        _blocked.TryAdd(run, 0);
        logger.LogError("Plugin {PluginId} blocked a thread in {Place} past its budget; the thread is abandoned ({Blocked} blocked now)",
            pluginId, run.Place, _blocked.Count);
        return true;
    }

    private (PluginRun Run, Task<T> Completion) Start<T>(PluginWorkers? workers, string place, Func<Task<T>> code)
    {
        var run = new PluginRun(place, time.GetUtcNow());
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        (workers ?? OneShot()).Run(() =>
        {
            Task<T> task;
            try
            {
                task = code() ?? Task.FromException<T>(new InvalidOperationException($"{place} returned no task."));
            }
            catch (Exception ex)
            {
                task = Task.FromException<T>(ex);
            }

            if (run.MarkReturned())
            {
                _blocked.TryRemove(run, out _);
                logger.LogWarning("Plugin {PluginId}: a thread abandoned in {Place} returned after {Elapsed} ({Blocked} blocked now)",
                    pluginId, place, time.GetUtcNow() - run.StartedAt, _blocked.Count);
                try
                {
                    BlockedThreadEnded?.Invoke();
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Handling the end of an abandoned thread of plugin {PluginId} failed", pluginId);
                }
            }

            task.ContinueWith(static (t, state) => ((TaskCompletionSource<T>)state!).TrySetFromTask(t), completion,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
        return (run, completion.Task);
    }

    private PluginWorkers OneShot()
    {
        var once = new PluginWorkers($"plugin {pluginId}");
        once.Close(); // its one thread ends with its work
        return once;
    }
}
