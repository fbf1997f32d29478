using System.Runtime.CompilerServices;

namespace Middleware.PluginHost.Threads;

/// <summary>
/// The threads one started plugin version's code runs on: an idle one is reused, otherwise a new one is made, so a
/// plugin blocking a thread only ever takes threads of its own. <see cref="Close"/> (once the version is stopped)
/// ends them all: a thread that ran a plugin's code can keep runtime state pinning the plugin's load context, so
/// none may outlive its version (a blocked one ends when the plugin gives it back). An idle thread also ends after
/// <see cref="IdleTimeout"/>.
/// </summary>
internal sealed class PluginWorkers(string name)
{
    /// <summary>How long an idle thread waits for more work before it ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly List<Worker> _idle = [];
    private bool _closed;

    /// <summary>Runs <paramref name="work"/> (which must not throw) on one of the threads, in the caller's execution
    /// context; on a thread of its own that ends with it once closed.</summary>
    public void Run(Action work)
    {
        var context = ExecutionContext.Capture();
        Action item = context is null ? work : () => ExecutionContext.Run(context, static w => ((Action)w!)(), work);
        Worker? idle = null;
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                idle = _idle[^1]; // the most recently used one
                _idle.RemoveAt(_idle.Count - 1);
            }
        }

        if (idle is not null)
        {
            idle.Work = item;
            idle.Wake();
            return;
        }

        var worker = new Worker { Work = item };
        var thread = new Thread(() => Loop(worker))
        {
            IsBackground = true, // a blocked thread never keeps the process from exiting
            Name = name,
        };
        thread.UnsafeStart(); // each work item carries its own caller's context
    }

    /// <summary>Ends the idle threads now and every busy one when its work returns.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var idle in _idle)
            {
                idle.Work = null;
                idle.Wake();
            }

            _idle.Clear();
        }
    }

    private void Loop(Worker worker)
    {
        while (true)
        {
            RunOne(worker);
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                _idle.Add(worker);
            }

            if (!worker.WaitForWork(IdleTimeout))
            {
                lock (_lock)
                {
                    if (_idle.Remove(worker))
                    {
                        return;
                    }
                }

                // Taken (for work, or by Close) just as it timed out: the signal is on its way.
                worker.WaitForWork(Timeout.InfiniteTimeSpan);
            }

            if (worker.Work is null)
            {
                return; // closed
            }
        }
    }

    // Its own frame, so that an idle thread's stack keeps no reference to the last work item.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunOne(Worker worker)
    {
        var work = worker.Work!;
        worker.Work = null;
        work();
    }

    /// <summary>
    /// An idle thread's wake-up: Monitor.Wait blocks at once, where SemaphoreSlim.Wait spins first (sched_yield in a
    /// loop): with one wake-up per plugin call, that spinning was about 4% of the host's CPU under a sale load.
    /// </summary>
    private sealed class Worker
    {
        private readonly object _gate = new(); // Monitor.Wait/Pulse need a Monitor lock, not a System.Threading.Lock
        private bool _woken;

        public volatile Action? Work;

        public void Wake()
        {
            lock (_gate)
            {
                _woken = true;
                Monitor.Pulse(_gate);
            }
        }

        /// <summary>True when woken (the signal is consumed), false when <paramref name="timeout"/> ran out first.</summary>
        public bool WaitForWork(TimeSpan timeout)
        {
            lock (_gate)
            {
                var infinite = timeout == Timeout.InfiniteTimeSpan;
                var deadline = infinite ? 0 : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
                while (!_woken)
                {
                    var left = infinite ? Timeout.Infinite : (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
                    if (left == 0 || !Monitor.Wait(_gate, left))
                    {
                        if (!_woken)
                        {
                            return false;
                        }
                    }
                }

                _woken = false;
                return true;
            }
        }
    }
}
