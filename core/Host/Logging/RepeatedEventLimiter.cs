using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Middleware.Host.Logging;

/// <summary>
/// Lets through at most <c>perSecond</c> events of one message template from one source and level each second, then
/// counts the rest and writes one summary line per template when its second is over. A failing reader or a hostile
/// till repeating one error cannot fill the disk nor drown the other lines. Events under the minimum level pass.
/// Memory is bounded: at most <c>maxTemplates</c> windows; beyond, events pass unlimited (still bounded by the files).
/// </summary>
internal sealed class RepeatedEventLimiter : ILogEventSink, IDisposable
{
    private static readonly MessageTemplate SummaryTemplate = new MessageTemplateParser().Parse(
        "{SuppressedCount} more events like \"{RepeatedTemplate}\" were not logged in the last {WindowSeconds} s (more than {PerSecond} a second)");

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly ILogEventSink inner;
    private readonly int perSecond;
    private readonly LogEventLevel minimumLevel;
    private readonly int maxTemplates;
    private readonly TimeProvider timeProvider;
    private readonly Dictionary<(string? Source, string Template, LogEventLevel Level), Counter> counters = [];
    private readonly Lock gate = new();
    private readonly ITimer sweeper;
    private bool disposed;

    public RepeatedEventLimiter(ILogEventSink inner, int perSecond, LogEventLevel minimumLevel, TimeProvider timeProvider, int maxTemplates = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        this.inner = inner;
        this.perSecond = perSecond;
        this.minimumLevel = minimumLevel;
        this.timeProvider = timeProvider;
        this.maxTemplates = maxTemplates;
        // The summary of a burst followed by silence is written by this sweep, not only by the next event.
        sweeper = timeProvider.CreateTimer(_ => EmitAll(Sweep(force: false)), null, Window, Window);
    }

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level < minimumLevel)
        {
            inner.Emit(logEvent);
            return;
        }

        var source = logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value) ? value.ToString() : null;
        var key = (source, logEvent.MessageTemplate.Text, logEvent.Level);
        var now = timeProvider.GetUtcNow();
        LogEvent? summary = null;
        bool pass;
        lock (gate)
        {
            if (counters.TryGetValue(key, out var counter))
            {
                if (now - counter.Start >= Window)
                {
                    summary = counter.TakeSummary(this, now);
                    counter.Start = now;
                }

                pass = counter.Passed < perSecond;
                if (pass)
                {
                    counter.Passed++;
                }
                else
                {
                    counter.Suppressed++;
                    counter.Sample ??= logEvent;
                }
            }
            else
            {
                pass = true;
                if (counters.Count < maxTemplates)
                {
                    counters[key] = new Counter { Start = now, Passed = 1 };
                }
            }
        }

        if (summary is not null)
        {
            inner.Emit(summary);
        }

        if (pass)
        {
            inner.Emit(logEvent);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        sweeper.Dispose();
        EmitAll(Sweep(force: true));
        (inner as IDisposable)?.Dispose();
    }

    private List<LogEvent> Sweep(bool force)
    {
        var summaries = new List<LogEvent>();
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            foreach (var (key, counter) in counters.ToList())
            {
                if (force || now - counter.Start >= Window)
                {
                    if (counter.TakeSummary(this, now) is { } summary)
                    {
                        summaries.Add(summary);
                    }

                    // A quiet template gives its slot back: the dictionary only holds recently seen templates.
                    counters.Remove(key);
                }
            }
        }

        return summaries;
    }

    private void EmitAll(List<LogEvent> summaries)
    {
        foreach (var summary in summaries)
        {
            inner.Emit(summary);
        }
    }

    private sealed class Counter
    {
        public DateTimeOffset Start { get; set; }

        public int Passed { get; set; }

        public long Suppressed { get; set; }

        public LogEvent? Sample { get; set; }

        /// <summary>The summary of this window's suppressed events (null when none), and a fresh window.</summary>
        public LogEvent? TakeSummary(RepeatedEventLimiter owner, DateTimeOffset now)
        {
            LogEvent? summary = null;
            if (Suppressed > 0 && Sample is { } sample)
            {
                var properties = new List<LogEventProperty>
                {
                    new("SuppressedCount", new ScalarValue(Suppressed)),
                    new("RepeatedTemplate", new ScalarValue(sample.MessageTemplate.Text)),
                    new("WindowSeconds", new ScalarValue(Math.Max(1, (int)Math.Ceiling((now - Start).TotalSeconds)))),
                    new("PerSecond", new ScalarValue(owner.perSecond)),
                };
                if (sample.Properties.TryGetValue(Constants.SourceContextPropertyName, out var source))
                {
                    properties.Add(new LogEventProperty(Constants.SourceContextPropertyName, source));
                }

                summary = new LogEvent(now, sample.Level, null, SummaryTemplate, properties);
            }

            Passed = 0;
            Suppressed = 0;
            Sample = null;
            return summary;
        }
    }
}
