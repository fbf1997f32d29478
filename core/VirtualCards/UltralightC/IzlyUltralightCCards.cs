using System.Text;
using Middleware.VirtualCards.Crypto;
using Middleware.VirtualCards.Izly;

namespace Middleware.VirtualCards.UltralightC;

/// <summary>Personalises virtual Ultralight C cards as Izly cards (cards.md §5 layout, §2 key diversification).</summary>
public static class IzlyUltralightCCards
{
    /// <summary>A card with <paramref name="zdc"/> in pages 4..11 (then 3 zero bytes), its key the AN10922
    /// diversification of <paramref name="masterKey"/> with <c>UID ‖ CROUS</c>. <paramref name="random"/> is the card's
    /// source for RndB, cryptographic by default.</summary>
    public static VirtualUltralightCCard FromZdc(ZdcDescription zdc, byte[] uid, byte[] masterKey, UltralightCFault fault = UltralightCFault.None, bool addAcsObjects = false, Func<int, byte[]>? random = null)
    {
        ArgumentNullException.ThrowIfNull(zdc);
        var record = zdc.Encode();
        switch (fault)
        {
            case UltralightCFault.CorruptedCheckByte:
                record[28] ^= 0x5A;
                break;
            case UltralightCFault.ImpossibleDate:
                record[26] = 0x13;
                record[27] = 0x45;
                record[28] = CardMac.Crc8Smbus(record.AsSpan(0, 28));
                break;
        }

        var key = An10922.DiversifyAes128(masterKey, [.. uid, .. Encoding.ASCII.GetBytes("CROUS")]);
        return new VirtualUltralightCCard(uid, key, [.. record, 0, 0, 0], fault, random) { AddAcsObjects = addAcsObjects };
    }
}
