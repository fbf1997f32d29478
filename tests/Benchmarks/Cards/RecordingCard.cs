using Middleware.VirtualCards;

namespace Middleware.Benchmarks.Cards;

/// <summary>The virtual card, recording what it is sent and answers while <see cref="Recording"/> is on.</summary>
internal sealed class RecordingCard(IVirtualCard inner) : IVirtualCard
{
    public volatile bool Recording;

    public List<Exchange> Recorded { get; } = [];

    public ReadOnlyMemory<byte> Atr => inner.Atr;

    public void PowerOn() => inner.PowerOn();

    public void PowerOff() => inner.PowerOff();

    public void Reset() => inner.Reset();

    public byte[] Transmit(ReadOnlySpan<byte> apdu)
    {
        var response = inner.Transmit(apdu);
        if (Recording)
        {
            Recorded.Add(new Exchange(apdu.ToArray(), response));
        }

        return response;
    }
}
