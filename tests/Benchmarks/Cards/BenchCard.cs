using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// The connected card as the host hands it to a plugin (core/PluginHost/Readers/HostPcscCard.cs): the ATR is asked of
/// pcscd on first use. With <paramref name="knownAtr"/>, the ATR the reader's status already gave instead: what the
/// host's watcher could pass, measured by <c>--atr-from-status</c>.
/// </summary>
internal sealed class BenchCard(ISmartCardConnection connection, ReadOnlyMemory<byte>? knownAtr = null) : IPcscCard
{
    public string ReaderName => connection.ReaderName;

    public ReadOnlyMemory<byte> Atr => knownAtr ?? connection.Atr;

    public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken) => connection.TransmitAsync(apdu, cancellationToken);
}
