using Middleware.VirtualCards.Crypto;

namespace Middleware.VirtualCards.Izly;

/// <summary>Spoils an encoded 29-byte ZDC record (cards.md §1) the way a damaged or forged card would, for every
/// technology's virtual card alike.</summary>
public static class ZdcRecordFaults
{
    /// <summary>Flips bits of the check byte (byte 28): the record no longer matches its CRC-8.</summary>
    public static void CorruptCheckByte(Span<byte> record) => record[28] ^= 0x5A;

    /// <summary>Sets the BCD creation date (bytes 25–27) to 30 February 2024, a valid BCD but no real date, and
    /// recomputes the check byte so that only the date is wrong.</summary>
    public static void MakeDateImpossible(Span<byte> record)
    {
        record[25] = 0x24;
        record[26] = 0x02;
        record[27] = 0x30;
        record[28] = CardMac.Crc8Smbus(record[..28]);
    }

    /// <summary>Applies the record part of <paramref name="fault"/> (check byte, date); the others leave it whole.</summary>
    public static byte[] Apply(byte[] record, ZdcFault fault)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (fault == ZdcFault.CorruptedCheckByte)
        {
            CorruptCheckByte(record);
        }
        else if (fault == ZdcFault.ImpossibleDate)
        {
            MakeDateImpossible(record);
        }

        return record;
    }
}
