using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;

namespace Company.IzlyReader.Tests;

/// <summary>What the host gives a plugin, for unit tests: settings from a JSON text, a logger that keeps the lines,
/// the system clock and no host services (no SAM: this plugin needs none).</summary>
internal sealed class TestPluginContext(string settingsJson) : IPluginContext
{
    private readonly CancellationTokenSource _stopping = new();

    public ListLogger Log { get; } = new();

    public ILogger Logger => Log;

    public TimeProvider Time => TimeProvider.System;

    public JsonElement Settings { get; } = JsonDocument.Parse(settingsJson).RootElement.Clone();

    public string PluginDirectory => AppContext.BaseDirectory;

    public CancellationToken Stopping => _stopping.Token;

    public T? GetService<T>() where T : class => null;

    // As the host: case-insensitive names, comments and trailing commas (SettingsJson.Options).
    public T GetSettings<T>() where T : new() => Settings.Deserialize<T>(SettingsJson.Options) ?? new T();
}

/// <summary>A logger that keeps every formatted line, to check what a plugin writes (and never writes).</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
