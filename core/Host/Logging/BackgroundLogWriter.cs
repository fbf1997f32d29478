using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Middleware.Host.Logging;

/// <summary>
/// Hands log events to a thread of its own that writes them to the console and files, so that no till's call waits for
/// a write. The caller only enqueues (a bounded queue: when it is full the event is dropped and counted, never the call
/// held); the writer wakes every <see cref="Interval"/> and writes what is queued. An Error or worse is written by its
/// caller before Emit returns, after what was queued: the process may die right after it.
/// </summary>
/// <remarks>
/// Not Serilog.Sinks.Async: its writer waits on a BlockingCollection, whose SemaphoreSlim spins (sched_yield) at each
/// event before it sleeps: about 9% of the host's CPU under a sale load (perf, sale-load). Waking a few times a second
/// costs nothing measurable. What was dropped is written as one Warning once there is room. Disposing writes what is
/// still queued (bounded by <see cref="DrainTimeout"/>) and disposes the inner sink.
/// </remarks>
internal sealed class BackgroundLogWriter : ILogEventSink, IDisposable
{
    /// <summary>How often the writer wakes when only Information and lower events wait: 100 ms.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long disposing waits for the queued events to be written: 5 s.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private static readonly MessageTemplate DroppedTemplate =
        new MessageTemplateParser().Parse("{Dropped} log events were dropped: the background log writer's queue of {Capacity} was full");

    private readonly ILogEventSink inner;
    private readonly int capacity;
    private readonly Queue<LogEvent> queue;
    private readonly object gate = new(); // Monitor.Wait/Pulse: a plain object
    private readonly object writeLock = new(); // one writer at a time: the thread, or an Error's caller
    private readonly Thread thread;
    private readonly TimeProvider time;
    private long dropped;
    private long reported;
    private bool stopping;

    public BackgroundLogWriter(ILogEventSink inner, int capacity, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.time = time;
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.inner = inner;
        this.capacity = capacity;
        queue = new Queue<LogEvent>(Math.Min(capacity, 1024));
        thread = new Thread(Run) { IsBackground = true, Name = "log writer" };
        thread.Start();
    }

    /// <summary>Events dropped since the start because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level >= LogEventLevel.Error)
        {
            // Written before Emit returns, after what is queued (in order): an Error is rare, and the process may die
            // right after it (a crash, FailFast), when the queue would be lost.
            lock (writeLock)
            {
                if (!TakeQueued(out var pending))
                {
                    dropped++;
                    return;
                }

                WriteAll(pending);
                Write(logEvent);
            }

            return;
        }

        lock (gate)
        {
            if (stopping || queue.Count >= capacity)
            {
                dropped++;
                return;
            }

            queue.Enqueue(logEvent);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (stopping)
            {
                return;
            }

            stopping = true;
            Monitor.Pulse(gate);
        }

        // A writer still busy after the drain's budget keeps its sink: disposing it under the writer would only fail.
        if (thread.Join(DrainTimeout))
        {
            (inner as IDisposable)?.Dispose();
        }
    }

    private void Run()
    {
        while (true)
        {
            bool last;
            lock (gate)
            {
                if (queue.Count == 0 && !stopping)
                {
                    Monitor.Wait(gate, Interval);
                }

                last = stopping;
            }

            // Lock order: writeLock, then gate (as an Error's Emit takes them).
            lock (writeLock)
            {
                List<LogEvent> batch;
                long droppedNow;
                lock (gate)
                {
                    batch = [.. queue];
                    queue.Clear();
                    droppedNow = dropped;
                }

                WriteAll(batch);
                ReportDropped(droppedNow);
            }

            if (last)
            {
                return;
            }
        }
    }

    // What is queued, taken out; false once stopping (the sinks may be disposed).
    private bool TakeQueued(out List<LogEvent> pending)
    {
        lock (gate)
        {
            if (stopping)
            {
                pending = [];
                return false;
            }

            pending = [.. queue];
            queue.Clear();
            return true;
        }
    }

    private void WriteAll(List<LogEvent> events)
    {
        foreach (var logEvent in events)
        {
            Write(logEvent);
        }
    }

    private void ReportDropped(long total)
    {
        if (total == reported)
        {
            return;
        }

        Write(new LogEvent(time.GetLocalNow(), LogEventLevel.Warning, null, DroppedTemplate,
        [
            new LogEventProperty("Dropped", new ScalarValue(total - reported)),
            new LogEventProperty("Capacity", new ScalarValue(capacity)),
            new LogEventProperty(Constants.SourceContextPropertyName, new ScalarValue(typeof(BackgroundLogWriter).FullName)),
        ]));
        reported = total;
    }

    // A sink's own failure never reaches a caller nor stops the writer (Serilog's rule for sinks).
    private void Write(LogEvent logEvent)
    {
        try
        {
            inner.Emit(logEvent);
        }
        catch (Exception ex)
        {
            Serilog.Debugging.SelfLog.WriteLine(string.Create(CultureInfo.InvariantCulture, $"The background log writer's sink failed: {ex}"));
        }
    }
}
