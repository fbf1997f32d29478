using Serilog.Core;
using Serilog.Events;

namespace Middleware.Host.Status;

/// <summary>
/// A Serilog sink keeping the last Warning-and-above events (HostLogging adds it behind the repeat limiter), for the
/// status page's recent errors. Messages are rendered as the log files write them, which hold no secrets.
/// </summary>
internal sealed class RecentLogEvents : ILogEventSink
{
    public const int Capacity = 100;
    private const int MaxMessage = 2000;

    private readonly BoundedRing<LogRow> _ring = new(Capacity);

    public IReadOnlyList<LogRow> Snapshot() => _ring.Snapshot();

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level < LogEventLevel.Warning)
        {
            return;
        }

        var source = logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value) && value is ScalarValue { Value: string s } ? s : null;
        var exception = logEvent.Exception is { } ex ? Bound($"{ex.GetType().Name}: {ex.Message}") : null;
        _ring.Add(new LogRow(logEvent.Timestamp, logEvent.Level.ToString(), source, Bound(logEvent.RenderMessage()), exception));
    }

    private static string Bound(string text) => text.Length > MaxMessage ? text[..MaxMessage] + "…" : text;
}
