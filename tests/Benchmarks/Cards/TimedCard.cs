using System.Diagnostics;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// The connected card as the host hands it over (the ATR from the reader's status, see <see cref="BenchCard"/>), timing
/// each APDU that goes to pcscd.
/// Used only by the breakdown, never in the measured loop.
/// </summary>
internal sealed class TimedCard(ISmartCardConnection connection, ReadOnlyMemory<byte> knownAtr) : IPcscCard
{
    public long TransmitTicks { get; private set; }

    public string ReaderName => connection.ReaderName;

    public ReadOnlyMemory<byte> Atr => knownAtr;

    public async Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await connection.TransmitAsync(apdu, cancellationToken);
        }
        finally
        {
            TransmitTicks += Stopwatch.GetTimestamp() - start;
        }
    }
}
