namespace Middleware.PluginHost.Threads;

/// <summary>A thread the host abandoned because a plugin blocked it past its budget and grace (diagnostics).</summary>
/// <param name="Id">The plugin id.</param>
/// <param name="Place">Where the plugin blocked ("a call", "StartAsync", "the constructor", ...).</param>
/// <param name="Since">When the plugin was entered (host clock).</param>
public sealed record BlockedPluginThread(string Id, string Place, DateTimeOffset Since);
