using System.Globalization;
using System.Text.Json.Serialization;
using Middleware.VirtualCards.Crypto;

namespace Middleware.VirtualCards.Izly;

/// <summary>
/// The fields of a ZDC record (cards.md §1), for personalising virtual cards. Encoded here, apart from the
/// reader's parser, so that the reader is checked against an independent writer.
/// </summary>
public sealed record ZdcDescription
{
    /// <summary><c>idZdc</c> = <c>idSupport</c>, decimal, at most 15 digits.</summary>
    [JsonPropertyName("idSupport")]
    public required string IdSupport { get; init; }

    /// <summary><c>numeroApplicatif</c>: 14 hexadecimal digits (7 bytes).</summary>
    [JsonPropertyName("numeroApplicatif")]
    public required string NumeroApplicatif { get; init; }

    /// <summary><c>idCrous</c> of the issuing Crous.</summary>
    [JsonPropertyName("crous")]
    public int Crous { get; init; }

    /// <summary><c>zdcCreationDate</c> (years 2000–2099).</summary>
    [JsonPropertyName("creationDate")]
    public DateOnly CreationDate { get; init; } = new(2024, 9, 2);

    /// <summary>Record format version (1).</summary>
    [JsonPropertyName("formatVersion")]
    public byte FormatVersion { get; init; } = 1;

    /// <summary><c>appl</c>.</summary>
    [JsonPropertyName("appl")]
    public byte Appl { get; init; } = 0xD1;

    /// <summary><c>pixSs</c>.</summary>
    [JsonPropertyName("pixSs")]
    public byte PixSs { get; init; } = 0x03;

    /// <summary><c>pixNn</c>.</summary>
    [JsonPropertyName("pixNn")]
    public ushort PixNn { get; init; }

    /// <summary><c>idTransmitter</c> (EMETTEUR).</summary>
    [JsonPropertyName("transmitter")]
    public ushort Transmitter { get; init; } = 65;

    /// <summary><c>idMapping</c>.</summary>
    [JsonPropertyName("mapping")]
    public byte Mapping { get; init; } = 1;

    /// <summary>The 29-byte record with its CRC-8/SMBUS check byte.</summary>
    public byte[] Encode()
    {
        if (!ulong.TryParse(IdSupport, NumberStyles.None, CultureInfo.InvariantCulture, out var idZdc) || idZdc > 999_999_999_999_999UL)
        {
            throw new ArgumentException($"idSupport must be a decimal number of at most 15 digits (got '{IdSupport}').");
        }

        if (NumeroApplicatif.Length != 14)
        {
            throw new ArgumentException("numeroApplicatif must have 14 hexadecimal digits.");
        }

        var numero = Convert.FromHexString(NumeroApplicatif);
        if (Crous is < 0 or > 0xFFFF)
        {
            throw new ArgumentException("crous must fit in 16 bits.");
        }

        if (CreationDate.Year is < 2000 or > 2099)
        {
            throw new ArgumentException("creationDate must be in 2000–2099.");
        }

        var record = new byte[29];
        record[0] = FormatVersion;
        record[1] = Appl;
        record[2] = PixSs;
        record[3] = (byte)(PixNn >> 8);
        record[4] = (byte)PixNn;
        record[5] = (byte)(Transmitter >> 8);
        record[6] = (byte)Transmitter;
        record[7] = Mapping;
        record[8] = (byte)(Crous >> 8);
        record[9] = (byte)Crous;
        for (var i = 0; i < 8; i++)
        {
            record[10 + i] = (byte)(idZdc >> (56 - (8 * i)));
        }

        numero.CopyTo(record, 18);
        record[25] = Bcd(CreationDate.Year % 100);
        record[26] = Bcd(CreationDate.Month);
        record[27] = Bcd(CreationDate.Day);
        record[28] = CardMac.Crc8Smbus(record.AsSpan(0, 28));
        return record;
    }

    private static byte Bcd(int value) => (byte)(((value / 10) << 4) | (value % 10));
}
