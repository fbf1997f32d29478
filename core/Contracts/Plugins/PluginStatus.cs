namespace Middleware.Contracts.Plugins;

/// <summary>The state of a plugin as the host, the tills and the operators see it.</summary>
public enum PluginState
{
    /// <summary>Loaded, started and receiving calls.</summary>
    Active,

    /// <summary>Listed in <c>plugins.json</c> with <c>enabled: false</c>; not loaded.</summary>
    Disabled,

    /// <summary>Built for a contract version this host does not support, or not a plugin at all.</summary>
    NotSupported,

    /// <summary>Threw while loading or starting, threw on a call, or exceeded a call's timeout.</summary>
    Malfunctioned,

    /// <summary>An older version that a newer one has replaced (kept in the status list until unloaded).</summary>
    Superseded,
}
