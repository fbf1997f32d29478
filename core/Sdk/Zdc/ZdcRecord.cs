using System.Buffers.Binary;
using System.Globalization;

namespace Middleware.Plugins.Sdk.Zdc;

/// <summary>
/// The ZDC record (<c>cards.md</c> §1): 29 bytes, the same on every technology. <see cref="ZdcCodec.Parse"/> refuses
/// anything invalid; <see cref="ZdcCodec.Write"/> refuses values that cannot be encoded.
/// </summary>
/// <param name="Version">Format version (1).</param>
/// <param name="Appl">The <c>appl</c> byte (e.g. 0xD1).</param>
/// <param name="PixSs">The <c>pixSs</c> byte (e.g. 0x03).</param>
/// <param name="PixNn">The <c>pixNn</c> value.</param>
/// <param name="IdTransmitter">The issuer (<c>EMETTEUR</c>, e.g. 65).</param>
/// <param name="IdMapping">The mapping.</param>
/// <param name="IdCrous">The issuing Crous.</param>
/// <param name="IdZdc">The card number (<c>idSupport</c>), at most 999 999 999 999 999.</param>
/// <param name="NumeroApplicatif">The application number (<c>rid</c>): 14 upper-case hexadecimal digits.</param>
/// <param name="CreationDate">The ZDC's creation date (2000–2099).</param>
public sealed record ZdcRecord(
    byte Version,
    byte Appl,
    byte PixSs,
    ushort PixNn,
    ushort IdTransmitter,
    byte IdMapping,
    ushort IdCrous,
    ulong IdZdc,
    string NumeroApplicatif,
    DateOnly CreationDate)
{
    /// <summary><c>idSupport</c>: <see cref="IdZdc"/> in decimal without leading zeros.</summary>
    public string IdSupport => IdZdc.ToString(CultureInfo.InvariantCulture);

    /// <summary>Never shows the full card number.</summary>
    public override string ToString() =>
        $"ZDC v{Version} Crous {IdCrous} card {(IdSupport.Length <= 4 ? "****" : new string('*', IdSupport.Length - 4) + IdSupport[^4..])}";
}

/// <summary>A ZDC record that cannot be read or written; <see cref="Field"/> names the offending field.</summary>
public sealed class ZdcFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ZdcFormatException(string field, string message)
        : base($"ZDC field '{field}': {message}") => Field = field;

    /// <summary>The field (<c>length</c>, <c>version</c>, <c>checkByte</c>, <c>idZdc</c>, <c>numeroApplicatif</c>, <c>zdcCreationDate</c>...).</summary>
    public string Field { get; }
}

/// <summary>Reads and writes the 29-byte ZDC record of <c>cards.md</c> §1.</summary>
public static class ZdcCodec
{
    /// <summary>The record's length.</summary>
    public const int Length = 29;

    /// <summary>The only format version known.</summary>
    public const byte CurrentVersion = 0x01;

    /// <summary>The largest <c>idZdc</c> (15 decimal digits).</summary>
    public const ulong MaxIdZdc = 999_999_999_999_999;

    /// <summary>
    /// Parses a record. Throws <see cref="ZdcFormatException"/> naming the field when the length is not 29, the version
    /// is unknown, the check byte (CRC-8/SMBUS of bytes 0..27) is wrong, <c>idZdc</c> exceeds 15 digits or the BCD date
    /// is not a real date in 2000–2099. Checks everything before returning: never a half-read record.
    /// </summary>
    public static ZdcRecord Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length != Length)
        {
            throw new ZdcFormatException("length", $"the record is {Length} bytes, not {data.Length}.");
        }

        if (data[0] != CurrentVersion)
        {
            throw new ZdcFormatException("version", $"unknown format version 0x{data[0]:X2} (expected 0x{CurrentVersion:X2}).");
        }

        var check = Crc8(data[..28]);
        if (check != data[28])
        {
            throw new ZdcFormatException("checkByte", $"check byte 0x{data[28]:X2} does not match the record (CRC-8/SMBUS 0x{check:X2}).");
        }

        var idZdc = BinaryPrimitives.ReadUInt64BigEndian(data.Slice(10, 8));
        if (idZdc > MaxIdZdc)
        {
            throw new ZdcFormatException("idZdc", "the card number exceeds 15 decimal digits.");
        }

        var date = ParseBcdDate(data.Slice(25, 3));
        return new ZdcRecord(
            data[0],
            data[1],
            data[2],
            BinaryPrimitives.ReadUInt16BigEndian(data.Slice(3, 2)),
            BinaryPrimitives.ReadUInt16BigEndian(data.Slice(5, 2)),
            data[7],
            BinaryPrimitives.ReadUInt16BigEndian(data.Slice(8, 2)),
            idZdc,
            Convert.ToHexString(data.Slice(18, 7)),
            date);
    }

    /// <summary>Encodes a record (with its check byte). Throws <see cref="ZdcFormatException"/> naming the field when a value cannot be encoded.</summary>
    public static byte[] Write(ZdcRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Version != CurrentVersion)
        {
            throw new ZdcFormatException("version", $"only version 0x{CurrentVersion:X2} can be written.");
        }

        if (record.IdZdc > MaxIdZdc)
        {
            throw new ZdcFormatException("idZdc", "the card number exceeds 15 decimal digits.");
        }

        var rid = record.NumeroApplicatif ?? string.Empty;
        if (rid.Length != 14 || !IsHex(rid))
        {
            throw new ZdcFormatException("numeroApplicatif", "the application number is 14 hexadecimal digits.");
        }

        if (record.CreationDate.Year is < 2000 or > 2099)
        {
            throw new ZdcFormatException("zdcCreationDate", "the creation year must be within 2000–2099.");
        }

        var data = new byte[Length];
        data[0] = record.Version;
        data[1] = record.Appl;
        data[2] = record.PixSs;
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(3), record.PixNn);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(5), record.IdTransmitter);
        data[7] = record.IdMapping;
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(8), record.IdCrous);
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(10), record.IdZdc);
        Convert.FromHexString(rid).CopyTo(data, 18);
        data[25] = Bcd(record.CreationDate.Year - 2000);
        data[26] = Bcd(record.CreationDate.Month);
        data[27] = Bcd(record.CreationDate.Day);
        data[28] = Crc8(data.AsSpan(0, 28));
        return data;
    }

    private static DateOnly ParseBcdDate(ReadOnlySpan<byte> bcd)
    {
        if (!TryBcd(bcd[0], out var yy) || !TryBcd(bcd[1], out var mm) || !TryBcd(bcd[2], out var dd))
        {
            throw new ZdcFormatException("zdcCreationDate", $"'{Convert.ToHexString(bcd)}' is not BCD YYMMDD.");
        }

        var year = 2000 + yy;
        if (mm is < 1 or > 12 || dd < 1 || dd > DateTime.DaysInMonth(year, mm))
        {
            throw new ZdcFormatException("zdcCreationDate", $"'{Convert.ToHexString(bcd)}' is not a real date.");
        }

        return new DateOnly(year, mm, dd);
    }

    private static bool TryBcd(byte b, out int value)
    {
        var hi = b >> 4;
        var lo = b & 0x0F;
        value = hi * 10 + lo;
        return hi <= 9 && lo <= 9;
    }

    private static byte Bcd(int value) => (byte)(((value / 10) << 4) | (value % 10));

    private static bool IsHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // CRC-8/SMBUS (poly 0x07, init 0, no reflection, no final XOR); kept here so the file stands alone in plugins.
    /// <summary>CRC-8/SMBUS (polynomial 0x07, init 0, no reflection, no final XOR): the record's check byte over bytes 0..27.</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x07) : (byte)(crc << 1);
            }
        }

        return crc;
    }
}
