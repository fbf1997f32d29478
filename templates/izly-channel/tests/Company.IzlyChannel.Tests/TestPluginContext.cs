using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Contracts.Plugins;

namespace Company.IzlyChannel.Tests;

/// <summary>What the host gives a plugin, for unit tests: empty settings, no logging, the system clock, and the
/// services given (the host's Izly gateway, or none).</summary>
internal sealed class TestPluginContext(object? service) : IPluginContext
{
    public ILogger Logger => NullLogger.Instance;

    public TimeProvider Time => TimeProvider.System;

    public JsonElement Settings { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    public string PluginDirectory => AppContext.BaseDirectory;

    public CancellationToken Stopping => CancellationToken.None;

    public T? GetService<T>() where T : class => service as T;

    public T GetSettings<T>() where T : new() => Settings.Deserialize<T>(SettingsJson.Options) ?? new T();
}
