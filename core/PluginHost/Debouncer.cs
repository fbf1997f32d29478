using Microsoft.Extensions.Logging;

namespace Middleware.PluginHost;

/// <summary>Runs an action once changes have stopped for <c>delay</c>; changes during the action run it again.</summary>
internal sealed class Debouncer(TimeProvider time, TimeSpan delay, Func<CancellationToken, Task> action, ILogger logger, string name,
    Action<Task> track, CancellationToken stopping)
{
    private long _lastSignal;
    private int _signals;
    private int _running;

    public void Signal()
    {
        Volatile.Write(ref _lastSignal, time.GetTimestamp());
        Interlocked.Increment(ref _signals);
        if (Interlocked.Exchange(ref _running, 1) == 0)
        {
            track(Task.Run(RunAsync, CancellationToken.None));
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(delay, time, stopping).ConfigureAwait(false);
                if (time.GetElapsedTime(Volatile.Read(ref _lastSignal)) < delay)
                {
                    continue;
                }

                var seen = Volatile.Read(ref _signals);
                try
                {
                    await action(stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Applying changes of {Watched} failed", name);
                }

                Interlocked.Exchange(ref _running, 0);
                if (Volatile.Read(ref _signals) == seen || Interlocked.Exchange(ref _running, 1) != 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
