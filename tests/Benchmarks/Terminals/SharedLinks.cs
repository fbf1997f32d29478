using Middleware.Contracts.Readers;

namespace Middleware.Benchmarks.Terminals;

/// <summary>The host's serial link service as the plugin sees it, keeping the stream it hands out, so that the raw
/// loop runs on the plugin's very link (between the plugin's exchanges) instead of a second port on the pty: the port
/// is opened with TIOCEXCL, which refuses a second open to anyone but root.</summary>
internal sealed class SharedLinks(ISerialLinkProvider links) : ISerialLinkProvider
{
    private Stream? _opened;

    /// <summary>The stream last handed to the plugin.</summary>
    public Stream Opened => Volatile.Read(ref _opened) ?? throw new InvalidOperationException("The plugin has not opened its link.");

    public IReadOnlyList<string> ListPorts() => links.ListPorts();

    public async Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken)
    {
        var stream = await links.OpenAsync(path, settings, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _opened, stream);
        return stream;
    }
}
