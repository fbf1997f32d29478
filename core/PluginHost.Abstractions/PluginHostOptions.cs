namespace Middleware.PluginHost;

/// <summary>Options of the plugin host (configuration section <c>PluginHost</c>).</summary>
public sealed class PluginHostOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "PluginHost";

    /// <summary>Path of <c>plugins.json</c>. A relative path is resolved against the host's content root
    /// (the current directory when there is none). Default: <c>plugins.json</c>.</summary>
    public string PluginsFile { get; set; } = "plugins.json";

    /// <summary>The budget of one plugin call that names none (<see cref="IPluginCatalog.InvokeAsync{TPlugin, TResult}(string, Func{TPlugin, CancellationToken, Task{TResult}}, CancellationToken)"/>):
    /// past it the caller gets PluginTimeout. Calls with a budget of their own (an Izly debit) pass it. Default: 10 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After a call's budget runs out, how long the plugin has to return once its token is cancelled before it is
    /// marked Malfunctioned (it ignores cancellation). Default: 2 s.</summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First wait before a Malfunctioned plugin is reloaded by itself; doubles after each further malfunction in
    /// a row. Default: 5 s.</summary>
    public TimeSpan MalfunctionRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two automatic reloads of a Malfunctioned plugin. Default: 5 min.</summary>
    public TimeSpan MalfunctionRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many threads a plugin may leave blocked in its code (abandoned after budget + grace: .NET cannot
    /// abort them) before it is no longer reloaded automatically; it is retried again when one of them returns, and an
    /// operator (plugins.enable, a reload) or a file change may still load it. Default: 2.</summary>
    public int MaxBlockedThreads { get; set; } = 2;

    /// <summary>Longest time a plugin's loading (its assembly, types, constructor and Metadata) and then its StartAsync
    /// may each take (plus <see cref="CancelGrace"/>). Default: 15 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest time a plugin's StopAsync and then its Dispose/DisposeAsync may take together (plus
    /// <see cref="CancelGrace"/>) before the host unloads it anyway. Default: 5 s.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>During a reload or a disable, how long in-flight calls to the old version may run before it is
    /// stopped anyway. Default: 10 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a new call waits for a reload in progress to finish before it fails with
    /// PluginUnavailable. Default: 30 s (drain + stop + start of a healthy plugin fit in it).</summary>
    public TimeSpan ReloadWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the host runs garbage collections to prove an old version's load context unloaded
    /// before it reports it as leaked (it then stays listed as Superseded). Real time. Default: 10 s.</summary>
    public TimeSpan UnloadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Quiet time after the last change of a plugin's files or of plugins.json before the host acts
    /// on it (a copy in progress keeps producing changes). Default: 1 s.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Watch plugins.json and the plugin folders and apply changes live. Default: true.</summary>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>Where plugin folders are shadow-copied before loading (so their files can be replaced while
    /// loaded). Default: null, a fresh folder under the installation's <c>data/plugin-shadow</c> (created 0700, never
    /// under /tmp), deleted at shutdown.</summary>
    public string? ShadowCopyDirectory { get; set; }
}
