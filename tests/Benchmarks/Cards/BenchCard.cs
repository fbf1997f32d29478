using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>The connected card as the host hands it to a plugin.</summary>
internal sealed class BenchCard(ISmartCardConnection connection) : IPcscCard
{
    public string ReaderName => connection.ReaderName;

    public ReadOnlyMemory<byte> Atr => connection.Atr;

    public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken) => connection.TransmitAsync(apdu, cancellationToken);
}
