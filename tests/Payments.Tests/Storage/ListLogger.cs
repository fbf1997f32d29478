using Microsoft.Extensions.Logging;

namespace Middleware.Payments.Tests.Storage;

/// <summary>Keeps what is logged, rendered, with its structured values.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(string Message, IReadOnlyDictionary<string, object?> Values)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
        lock (Entries)
        {
            Entries.Add((formatter(state, exception), values));
        }
    }
}
