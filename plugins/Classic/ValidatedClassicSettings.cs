using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Classic;

/// <summary>Checked <see cref="ClassicSettings"/>.</summary>
internal sealed record ValidatedClassicSettings(byte SamKeyNumber, ClassicLayout Classic1K, ClassicLayout Classic4K)
{
    /// <summary>
    /// The card size an ATR names, or null. A PC/SC Part 3 pseudo-ATR decides by its card name (0001 = 1K, 0002 = 4K)
    /// and must also fit that size's patterns; one with the Part 3 head but a wrong length or check byte is refused; any
    /// other ATR is claimed only when an operator's pattern names it (readers that build their own ATR).
    /// </summary>
    public (CardTechnology Technology, ClassicLayout Layout)? Classify(ReadOnlySpan<byte> atr)
    {
        if (StorageCardType.TryParse(atr, out var type))
        {
            return type.CardName switch
            {
                StorageCardType.Classic1K when Classic1K.Matches(atr) => (CardTechnology.Classic1K, Classic1K),
                StorageCardType.Classic4K when Classic4K.Matches(atr) => (CardTechnology.Classic4K, Classic4K),
                _ => null,
            };
        }

        if (atr.StartsWith(Part3Head))
        {
            return null;
        }

        return Classic1K.Matches(atr) ? (CardTechnology.Classic1K, Classic1K)
            : Classic4K.Matches(atr) ? (CardTechnology.Classic4K, Classic4K)
            : null;
    }

    private static ReadOnlySpan<byte> Part3Head => [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06];
}

/// <summary>One card size's ZDC location and ATR patterns.</summary>
internal sealed record ClassicLayout(byte Sector, byte FirstBlock, byte SecondBlock, IReadOnlyList<AtrPattern> AtrPatterns)
{
    public bool Matches(ReadOnlySpan<byte> atr)
    {
        foreach (var pattern in AtrPatterns)
        {
            if (pattern.Matches(atr))
            {
                return true;
            }
        }

        return false;
    }
}
