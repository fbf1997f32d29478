using Middleware.Contracts.Readers;

namespace Middleware.Tetra.Tests.Support;

/// <summary>The host's serial link service, keeping the stream it last handed to the plugin: a raw loop can then run on
/// the plugin's very link between its exchanges (the port is opened with TIOCEXCL, so a second open is refused).</summary>
internal sealed class KeptLinks(ISerialLinkProvider links) : ISerialLinkProvider
{
    private Stream? _opened;

    /// <summary>The stream last handed to the plugin.</summary>
    public Stream Opened => Volatile.Read(ref _opened) ?? throw new InvalidOperationException("The plugin has not opened its link.");

    public IReadOnlyList<string> ListPorts() => links.ListPorts();

    public async Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken)
    {
        var stream = await links.OpenAsync(path, settings, cancellationToken);
        Volatile.Write(ref _opened, stream);
        return stream;
    }
}
