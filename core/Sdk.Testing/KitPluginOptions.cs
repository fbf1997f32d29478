using Microsoft.Extensions.Logging;

namespace Middleware.Plugins.Testing;

/// <summary>What every profile needs: where the plugin's build output is and how plugins.json lists it.</summary>
public abstract class KitPluginOptions
{
    /// <summary>The plugin's folder: its build output (the assembly and its private dependencies, without the contract
    /// and the SDK, which the host shares). The kit copies it into a temporary installation; it never writes here.</summary>
    public required string PluginDirectory { get; init; }

    /// <summary>The file name of the plugin's main assembly in <see cref="PluginDirectory"/>, e.g. <c>Acme.Reader.dll</c>.</summary>
    public required string AssemblyFileName { get; init; }

    /// <summary>The plugin id: its key in plugins.json and its <c>Metadata.Id</c>.</summary>
    public required string PluginId { get; init; }

    /// <summary>The plugin's <c>settings</c> object for plugins.json, as JSON. Default <c>{}</c>.</summary>
    public string SettingsJson { get; init; } = "{}";

    /// <summary>Where the host's and the plugin's logs go (e.g. the test output); none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>How long the host lets a superseded version's load context be collected before it calls it leaked.
    /// Default 15 s.</summary>
    public TimeSpan UnloadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>After a call's budget, how long the plugin has to honour its cancelled token (the host's
    /// <c>PluginHost:CancelGrace</c>). Default 2 s, the host's default.</summary>
    public TimeSpan CancelGrace { get; init; } = TimeSpan.FromSeconds(2);
}
