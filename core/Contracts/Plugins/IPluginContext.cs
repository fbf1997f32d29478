using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Middleware.Contracts.Plugins;

/// <summary>What the host gives a plugin instance. Valid from <see cref="IPlugin.StartAsync"/> until
/// <see cref="IPlugin.StopAsync"/> returns.</summary>
public interface IPluginContext
{
    /// <summary>A logger named after the plugin. Structured properties only; never log keys, tokens or full card numbers.</summary>
    ILogger Logger { get; }

    /// <summary>The host's clock. Plugins never read the system clock directly, so tests can move time.</summary>
    TimeProvider Time { get; }

    /// <summary>The plugin's own <c>settings</c> object from <c>plugins.json</c> (an empty object when absent).</summary>
    JsonElement Settings { get; }

    /// <summary>The folder the plugin was loaded from (read-only: the host may replace it on reload).</summary>
    string PluginDirectory { get; }

    /// <summary>Cancelled when the host begins stopping this plugin instance (reload, disable or shutdown).</summary>
    CancellationToken Stopping { get; }

    /// <summary>
    /// A host service by its contract interface (for instance the PC/SC service, the SAM,
    /// the Izly gateway or <see cref="Readers.IReaderEventSink"/>), or <c>null</c> when this host has none.
    /// Services are owned by the host: a plugin never disposes them.
    /// </summary>
    T? GetService<T>() where T : class;

    /// <summary>
    /// Reads <see cref="Settings"/> as <typeparamref name="T"/> (case-insensitive property names, as
    /// <see cref="SettingsJson.Options"/>). Implemented by the host so that binding leaves no plugin type in a
    /// process-wide cache (a System.Text.Json call on a plugin's own type would keep the plugin from ever unloading).
    /// </summary>
    T GetSettings<T>() where T : new();
}

/// <summary>The JSON options used to bind plugin settings.</summary>
public static class SettingsJson
{
    /// <summary>Case-insensitive, comments and trailing commas allowed (as in <c>plugins.json</c>), enums by name or
    /// number.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
