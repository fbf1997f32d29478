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
        if (fault == UltralightCFault.CorruptedCheckByte)
        {
            ZdcRecordFaults.CorruptCheckByte(record);
        }
        else if (fault == UltralightCFault.ImpossibleDate)
        {
            ZdcRecordFaults.MakeDateImpossible(record);
        }

        var key = An10922.DiversifyAes128(masterKey, [.. uid, .. Encoding.ASCII.GetBytes("CROUS")]);
        return new VirtualUltralightCCard(uid, key, [.. record, 0, 0, 0], fault, random) { AddAcsObjects = addAcsObjects };
    }
}
