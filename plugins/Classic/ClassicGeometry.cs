namespace Middleware.Plugins.Classic;

/// <summary>MIFARE Classic memory geometry: sectors 0..31 have 4 blocks, sectors 32..39 (4K only) have 16; the last
/// block of each sector is its trailer (keys and access bits), block 0 is the manufacturer block.</summary>
internal static class ClassicGeometry
{
    public const int Classic1KSectors = 16;
    public const int Classic4KSectors = 40;

    public static int FirstBlock(int sector) => sector < 32 ? sector * 4 : 128 + ((sector - 32) * 16);

    public static int BlockCount(int sector) => sector < 32 ? 4 : 16;

    public static bool IsDataBlockOf(int sector, int block)
    {
        var first = FirstBlock(sector);
        var trailer = first + BlockCount(sector) - 1;
        return block >= first && block < trailer && block != 0;
    }
}
