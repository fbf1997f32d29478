using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Contracts.Plugins;

namespace Middleware.Benchmarks.Cards;

/// <summary>The plugin's context: its settings, the host's SAM, no logging (the benchmark measures the read, not a sink).</summary>
internal sealed class BenchPluginContext(JsonElement settings, params object[] services) : IPluginContext
{
    public ILogger Logger => NullLogger.Instance;

    public TimeProvider Time => TimeProvider.System;

    public JsonElement Settings => settings;

    public string PluginDirectory => AppContext.BaseDirectory;

    public CancellationToken Stopping => CancellationToken.None;

    public T? GetService<T>() where T : class => services.OfType<T>().FirstOrDefault();

    public T GetSettings<T>() where T : new() => settings.Deserialize<T>(SettingsJson.Options) ?? new T();
}
