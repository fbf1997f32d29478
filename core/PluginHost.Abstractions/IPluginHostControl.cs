namespace Middleware.PluginHost;

/// <summary>The result of one unload proof: did the old version's collectible context really go away?</summary>
/// <param name="Id">The plugin id.</param>
/// <param name="Version">The unloaded version.</param>
/// <param name="Unloaded">True when the context was collected (weak reference dead) within the unload timeout.</param>
/// <param name="GcPasses">How many full garbage collections it took.</param>
/// <param name="Elapsed">How long the proof took (real time).</param>
/// <param name="At">When the proof ended (host clock).</param>
public sealed record PluginUnloadRecord(string Id, string? Version, bool Unloaded, int GcPasses, TimeSpan Elapsed, DateTimeOffset At);

/// <summary>Operator controls and diagnostics of the plugin host (for the pipe's admin methods, the CLI and tests).</summary>
public interface IPluginHostControl
{
    /// <summary>Raised after any plugin status changes (never throws into the host: handlers' exceptions are logged).</summary>
    event EventHandler<PluginStatusInfo>? StatusChanged;

    /// <summary>Reloads a plugin from its folder now (shadow copy, verify, swap), even if its files did not change.
    /// Returns its status afterwards. A failing new version leaves the old one serving.</summary>
    Task<PluginStatusInfo> ReloadAsync(string pluginId, CancellationToken cancellationToken);

    /// <summary>Takes a plugin out of service (stopped, unloaded) until <see cref="EnableAsync"/> or a restart; plugins.json
    /// is not changed. Cancels a scheduled automatic retry.</summary>
    Task<PluginStatusInfo> DisableAsync(string pluginId, CancellationToken cancellationToken);

    /// <summary>Lifts an operator's disable, or loads a Malfunctioned plugin now instead of waiting for its automatic
    /// retry. A plugin disabled in plugins.json stays disabled (error 1000: enable it there).</summary>
    Task<PluginStatusInfo> EnableAsync(string pluginId, CancellationToken cancellationToken);

    /// <summary>Reads plugins.json now and applies it (what the file watcher does after a change).</summary>
    Task ApplyConfigurationAsync(CancellationToken cancellationToken);

    /// <summary>The most recent unload proofs (at most 256), oldest first.</summary>
    IReadOnlyList<PluginUnloadRecord> GetUnloadHistory();

    /// <summary>Old versions stopped but whose unload proof has not finished yet.</summary>
    int PendingUnloads { get; }
}
