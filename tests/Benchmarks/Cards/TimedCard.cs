using System.Diagnostics;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// The connected card as the host hands it over, timing what goes to pcscd: the ATR (the connection asks pcscd for it,
/// SCardStatus, on first use, unless <paramref name="knownAtr"/> is given: see <see cref="BenchCard"/>) and each APDU.
/// Used only by the breakdown, never in the measured loop.
/// </summary>
internal sealed class TimedCard(ISmartCardConnection connection, ReadOnlyMemory<byte>? knownAtr) : IPcscCard
{
    public long AtrTicks { get; private set; }

    public long TransmitTicks { get; private set; }

    public string ReaderName => connection.ReaderName;

    public ReadOnlyMemory<byte> Atr
    {
        get
        {
            var start = Stopwatch.GetTimestamp();
            var atr = knownAtr ?? connection.Atr;
            AtrTicks += Stopwatch.GetTimestamp() - start;
            return atr;
        }
    }

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
