using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// The connected card as the host hands it to a plugin (core/PluginHost/Readers/HostPcscCard.cs): with the ATR the
/// reader's status gave (<paramref name="knownAtr"/>), not asked of pcscd again.
/// </summary>
internal sealed class BenchCard(ISmartCardConnection connection, ReadOnlyMemory<byte> knownAtr) : IPcscCard
{
    public string ReaderName => connection.ReaderName;

    public ReadOnlyMemory<byte> Atr => knownAtr;

    public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken) => connection.TransmitAsync(apdu, cancellationToken);
}
