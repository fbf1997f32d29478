using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Acme.ClassicReader;

/// <summary>Where the ZDC lives on each Classic card (cards.md §4): 1K sector 1, blocks 4 and 5; 4K sector 32, blocks
/// 128 and 129. Both blocks are in one sector, so one authentication opens both.</summary>
/// <param name="Technology">The card technology reported to the host.</param>
/// <param name="FirstBlock">The block holding the ZDC's first 16 bytes.</param>
internal sealed record ClassicLayout(CardTechnology Technology, byte FirstBlock)
{
    public static ClassicLayout Classic1K { get; } = new(CardTechnology.Classic1K, 4);

    public static ClassicLayout Classic4K { get; } = new(CardTechnology.Classic4K, 128);

    /// <summary>The block after <see cref="FirstBlock"/>: the ZDC's last 13 bytes and 3 zero bytes.</summary>
    public byte SecondBlock => (byte)(FirstBlock + 1);

    /// <summary>The layout a PC/SC Part 3 pseudo-ATR names, or null when the ATR names no Classic card.</summary>
    public static ClassicLayout? FromPseudoAtr(ReadOnlySpan<byte> atr) =>
        StorageCardType.TryParse(atr, out var type)
            ? type.CardName switch
            {
                StorageCardType.Classic1K => Classic1K,
                StorageCardType.Classic4K => Classic4K,
                _ => null,
            }
            : null;
}
