namespace Middleware.Contracts.Plugins;

/// <summary>
/// The root of every plugin. A plugin assembly exposes exactly one public, non-abstract class implementing
/// this interface (through <see cref="Readers.IPcscCardPlugin"/>, <see cref="Readers.ITerminalPlugin"/> or
/// <see cref="Channels.IPaymentChannelPlugin"/>) with a public parameterless constructor.
/// </summary>
/// <remarks>
/// Contract with the host:
/// <list type="bullet">
/// <item>The constructor does no I/O and opens no device; <see cref="StartAsync"/> does.</item>
/// <item><see cref="StartAsync"/> is called once before any other call; <see cref="StopAsync"/> once, after
/// the host has stopped routing calls to the plugin and in-flight calls have finished (or timed out).
/// After <see cref="StopAsync"/> returns, the plugin holds no device, thread, timer or event subscription
/// of the host: it is about to be unloaded, and anything it still references keeps its code alive.</item>
/// <item>Every call gets a <see cref="CancellationToken"/> and must honour it; the host also enforces a
/// timeout per call and marks a plugin that exceeds it, or throws while loading, as <c>Malfunctioned</c>.</item>
/// <item>A plugin never lets an exception escape from a callback or event handler of the host: the host
/// would survive it, but the plugin would be marked <c>Malfunctioned</c>.</item>
/// </list>
/// </remarks>
public interface IPlugin
{
    /// <summary>The plugin's metadata; must be available right after construction.</summary>
    PluginMetadata Metadata { get; }

    /// <summary>Starts the plugin: reads its settings, opens its devices, subscribes to host events.</summary>
    /// <param name="context">Host services for this plugin instance; valid until <see cref="StopAsync"/> returns.</param>
    /// <param name="cancellationToken">Cancelled when the host gives up waiting for the start.</param>
    Task StartAsync(IPluginContext context, CancellationToken cancellationToken);

    /// <summary>Stops the plugin and releases every device and host resource it holds.</summary>
    /// <param name="cancellationToken">Cancelled when the host gives up waiting; release what you can anyway.</param>
    Task StopAsync(CancellationToken cancellationToken);
}
