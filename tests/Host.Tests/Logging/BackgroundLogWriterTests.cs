using Middleware.Host.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Middleware.Host.Tests.Logging;

/// <summary>Issue #19: the console and file writes leave the caller's thread, bounded, and lose nothing silently.</summary>
public sealed class BackgroundLogWriterTests
{
    [Fact]
    public void A_caller_never_waits_for_a_blocked_sink_and_what_did_not_fit_is_reported_as_dropped()
    {
        var sink = new GatedSink();
        var writer = new BackgroundLogWriter(sink, capacity: 10, TimeProvider.System);
        writer.Emit(Event(LogEventLevel.Information, 0)); // the writer takes it within its interval and blocks in the sink
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= 100; i++)
        {
            writer.Emit(Event(LogEventLevel.Information, i));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the caller waited {clock.Elapsed}"); // the sink is still blocked
        Assert.Equal(90, writer.Dropped);
        sink.Release.Set();
        writer.Dispose();

        var numbers = sink.Events.Where(e => e.Properties.ContainsKey("N")).Select(e => (int)((ScalarValue)e.Properties["N"]).Value!).ToList();
        Assert.Equal(Enumerable.Range(0, 11), numbers); // the first, then the ten that fitted, in order
        var report = Assert.Single(sink.Events, e => e.Level == LogEventLevel.Warning);
        Assert.Equal("90 log events were dropped: the background log writer's queue of 10 was full", report.RenderMessage());
    }

    [Fact]
    public void Disposing_writes_every_queued_event_then_disposes_the_sink()
    {
        var sink = new GatedSink();
        sink.Release.Set();
        var writer = new BackgroundLogWriter(sink, capacity: 10_000, TimeProvider.System);
        for (var i = 0; i < 5_000; i++)
        {
            writer.Emit(Event(LogEventLevel.Information, i));
        }

        writer.Dispose();
        writer.Emit(Event(LogEventLevel.Error, -1)); // after disposal: dropped, never written to a disposed sink

        Assert.Equal(Enumerable.Range(0, 5_000), sink.Events.Select(e => (int)((ScalarValue)e.Properties["N"]).Value!));
        Assert.True(sink.Disposed);
    }

    [Fact]
    public void An_error_is_written_before_emit_returns_after_the_events_queued_before_it()
    {
        var sink = new GatedSink();
        sink.Release.Set();
        using var writer = new BackgroundLogWriter(sink, capacity: 100, TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            writer.Emit(Event(LogEventLevel.Information, i));
        }

        writer.Emit(Event(LogEventLevel.Fatal, 5)); // e.g. a crash point: the process dies right after this line

        lock (sink.Events)
        {
            Assert.Equal([0, 1, 2, 3, 4, 5], sink.Events.Select(e => (int)((ScalarValue)e.Properties["N"]).Value!));
        }
    }

    [Fact]
    public void A_sink_that_throws_does_not_stop_the_writer()
    {
        var sink = new GatedSink { ThrowOn = 3 };
        sink.Release.Set();
        var writer = new BackgroundLogWriter(sink, capacity: 100, TimeProvider.System);
        for (var i = 0; i < 6; i++)
        {
            writer.Emit(Event(LogEventLevel.Information, i));
        }

        writer.Dispose();

        Assert.Equal([0, 1, 2, 4, 5], sink.Events.Select(e => (int)((ScalarValue)e.Properties["N"]).Value!));
    }

    private static LogEvent Event(LogEventLevel level, int n) =>
        new(DateTimeOffset.UnixEpoch, level, null, new MessageTemplateParser().Parse("Event {N}"), [new LogEventProperty("N", new ScalarValue(n))]);

    private sealed class GatedSink : ILogEventSink, IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public List<LogEvent> Events { get; } = [];

        public int ThrowOn { get; init; } = -1;

        public bool Disposed { get; private set; }

        public void Emit(LogEvent logEvent)
        {
            Entered.Set();
            Release.Wait();
            if (logEvent.Properties.TryGetValue("N", out var n) && (int)((ScalarValue)n).Value! == ThrowOn)
            {
                throw new InvalidOperationException("sink failure");
            }

            lock (Events)
            {
                Events.Add(logEvent);
            }
        }

        public void Dispose() => Disposed = true;
    }
}
