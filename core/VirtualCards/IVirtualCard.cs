namespace Middleware.VirtualCards;

/// <summary>A card emulated in process and offered to a reader (vpcd) by <see cref="Vpcd.VpcdCardSlot"/>.</summary>
public interface IVirtualCard
{
    /// <summary>The ATR the reader reports (for contactless cards, the PC/SC pseudo-ATR).</summary>
    ReadOnlyMemory<byte> Atr { get; }

    /// <summary>The field is switched on (power on).</summary>
    void PowerOn();

    /// <summary>The field is switched off: any session ends.</summary>
    void PowerOff();

    /// <summary>A warm reset: any session ends.</summary>
    void Reset();

    /// <summary>Processes one command APDU and returns the response APDU (data and status word).</summary>
    byte[] Transmit(ReadOnlySpan<byte> apdu);
}
