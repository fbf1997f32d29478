namespace Middleware.Cards.Crypto;

/// <summary>CRC32 as DESFire EV1 uses it: reflected polynomial 0xEDB88320, preset 0xFFFFFFFF, <b>no</b> final inversion,
/// appended little-endian.</summary>
public static class DesfireCrc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFF, data);

    /// <summary>Continues a CRC (start with 0xFFFFFFFF) over more data.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>Writes <paramref name="crc"/> little-endian into 4 bytes.</summary>
    public static void Write(uint crc, Span<byte> destination) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination, crc);

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
