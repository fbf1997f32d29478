using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.PluginHost.Readers;

/// <summary>The card a plugin gets for one read: the host's connection, closed to the plugin once the read returns.</summary>
internal sealed class HostPcscCard(ISmartCardConnection connection, ReadOnlyMemory<byte> atr) : IPcscCard
{
    private volatile bool _closed;

    public string ReaderName => connection.ReaderName;

    // The ATR the reader's status gave, the one the plugin was chosen by: asking pcscd again (SCardStatus) cost up to a
    // quarter of a Calypso read (tests/Benchmarks card-read).
    public ReadOnlyMemory<byte> Atr => atr;

    public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
    {
        // A plugin that kept the card past its read must not talk to the next card on that reader.
        ObjectDisposedException.ThrowIf(_closed, this);
        return connection.TransmitAsync(apdu, cancellationToken);
    }

    public void Close() => _closed = true;
}
