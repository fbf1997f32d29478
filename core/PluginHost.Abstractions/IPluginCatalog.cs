using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace Middleware.PluginHost;

/// <summary>The status of one plugin as the till protocol and the CLI show it.</summary>
/// <param name="Id">The plugin id (key in plugins.json).</param>
/// <param name="Version">The loaded version, null when never loaded.</param>
/// <param name="State">Its state.</param>
/// <param name="Reason">Why it is not Active (English, for support); when Active, null, or why a newer version was
/// rejected and this one keeps serving.</param>
/// <param name="Folder">The folder it loads from.</param>
/// <param name="Since">When it entered this state (host clock).</param>
public sealed record PluginStatusInfo(string Id, string? Version, PluginState State, string? Reason, string Folder, DateTimeOffset Since);

/// <summary>
/// The host's view of its plugins for the rest of the host (pipe methods, sales). Calls are routed to the
/// current version of a plugin; during a hot reload, new calls wait for the new version (bounded) instead of failing.
/// </summary>
public interface IPluginCatalog
{
    /// <summary>Every plugin listed in plugins.json, with its status, plus superseded versions not yet unloaded.</summary>
    IReadOnlyList<PluginStatusInfo> GetStatuses();

    /// <summary>
    /// Calls the active plugin <paramref name="pluginId"/> as <typeparamref name="TPlugin"/> with the host's call
    /// timeout. Throws <c>MiddlewareException</c> (PluginUnavailable, PluginMalfunctioned, PluginTimeout) when it cannot.
    /// </summary>
    Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin;

    /// <summary>
    /// Calls the plugin with a budget of its own: <paramref name="timeout"/> must cover what the plugin waits on (an
    /// Izly call with its own timeout and retries). Past it the call's token is cancelled and the caller gets
    /// PluginTimeout; the plugin stays Active unless it ignores the cancellation.
    /// </summary>
    Task<TResult> InvokeAsync<TPlugin, TResult>(string pluginId, Func<TPlugin, CancellationToken, Task<TResult>> call, TimeSpan timeout, CancellationToken cancellationToken)
        where TPlugin : class, IPlugin;

    /// <summary>The ids of the active plugins implementing <typeparamref name="TPlugin"/>.</summary>
    IReadOnlyList<string> ActivePlugins<TPlugin>() where TPlugin : class, IPlugin;
}

/// <summary>Card events from every reader plugin, multicast to subscribers (the pipe server routes them to tills).</summary>
public interface ICardEventSource
{
    /// <summary>Subscribes <paramref name="observer"/>; dispose the result to unsubscribe. An observer that throws is logged, never the sender's problem.</summary>
    IDisposable Subscribe(IReaderEventSink observer);
}
