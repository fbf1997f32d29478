using System.Security.Cryptography;
using Middleware.VirtualCards.Izly;

namespace Middleware.VirtualCards.Classic;

/// <summary>What to get wrong on a virtual Izly Classic card, for tests and till rehearsals.</summary>
/// <param name="WrongKey">The ZDC sector's key A comes from another master key: the reader gets <c>63 00</c>.</param>
/// <param name="CorruptCheckByte">The record's check byte is flipped.</param>
/// <param name="ImpossibleDate">The creation date is 30 February (BCD <c>24 02 30</c>), with a correct check byte.</param>
/// <param name="LeavesDuringRead">The card leaves the field at the first READ BINARY.</param>
public sealed record ClassicCardFaults(bool WrongKey = false, bool CorruptCheckByte = false, bool ImpossibleDate = false, bool LeavesDuringRead = false);

/// <summary>Personalises virtual MIFARE Classic cards as Izly cards (cards.md §4).</summary>
public static class IzlyClassicCards
{
    /// <summary>The ZDC sector and its first block: 1K sector 1 (blocks 4–5), 4K sector 32 (blocks 128–129).</summary>
    public static (byte Sector, byte FirstBlock) LayoutOf(ClassicCardSize size) =>
        size == ClassicCardSize.Classic1K ? ((byte)1, (byte)4) : ((byte)32, (byte)128);

    /// <summary>
    /// A Classic card carrying <paramref name="zdc"/>: the 29-byte record then 3 zero bytes in the two first blocks of the
    /// ZDC sector, whose key A is diversified from <paramref name="classicMasterKey"/> (cards.md §2; key B random).
    /// </summary>
    public static VirtualClassicCard FromZdc(ZdcDescription zdc, byte[] uid, byte[] classicMasterKey, ClassicCardSize size, ClassicCardFaults? faults = null)
    {
        ArgumentNullException.ThrowIfNull(zdc);
        ArgumentNullException.ThrowIfNull(classicMasterKey);
        faults ??= new ClassicCardFaults();
        var card = new VirtualClassicCard(uid, size) { LeavesDuringRead = faults.LeavesDuringRead };
        var (sector, firstBlock) = LayoutOf(size);
        var record = zdc.Encode();
        if (faults.ImpossibleDate)
        {
            ZdcRecordFaults.MakeDateImpossible(record);
        }

        if (faults.CorruptCheckByte)
        {
            ZdcRecordFaults.CorruptCheckByte(record);
        }

        var data = new byte[32];
        record.CopyTo(data, 0);
        card.WriteBlock(firstBlock, data.AsSpan(0, 16));
        card.WriteBlock(firstBlock + 1, data.AsSpan(16, 16));

        var master = faults.WrongKey ? RandomNumberGenerator.GetBytes(16) : classicMasterKey;
        var keyA = ClassicDiversification.KeyA(master, uid, sector);
        card.SetSectorKeys(sector, keyA, RandomNumberGenerator.GetBytes(6));
        Array.Clear(keyA);
        return card;
    }
}
