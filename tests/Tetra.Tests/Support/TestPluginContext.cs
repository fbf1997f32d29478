using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Plugins;

namespace Middleware.Tetra.Tests.Support;

/// <summary>The host's side of a plugin, for tests: settings bound as the host binds them (case-insensitive), the
/// services given, log lines kept.</summary>
internal sealed class TestPluginContext(JsonElement settings, params object[] services) : IPluginContext, ILogger
{
    private readonly CancellationTokenSource _stopping = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger Logger => this;

    public TimeProvider Time => TimeProvider.System;

    public JsonElement Settings => settings;

    public string PluginDirectory => AppContext.BaseDirectory;

    public CancellationToken Stopping => _stopping.Token;

    public T? GetService<T>() where T : class => services.OfType<T>().FirstOrDefault();

    // The plugin is not unloaded in these tests, so the plain binding is fine here (the host's avoids it).
    public T GetSettings<T>() where T : new() => settings.Deserialize<T>(SettingsJson.Options) ?? new T();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
