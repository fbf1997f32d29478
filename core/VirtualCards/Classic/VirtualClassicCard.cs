namespace Middleware.VirtualCards.Classic;

/// <summary>The two MIFARE Classic sizes, by their PC/SC Part 3 card name.</summary>
public enum ClassicCardSize : ushort
{
    /// <summary>MIFARE Classic 1K: 16 sectors of 4 blocks.</summary>
    Classic1K = 0x0001,

    /// <summary>MIFARE Classic 4K: 32 sectors of 4 blocks, then 8 of 16.</summary>
    Classic4K = 0x0002,
}

/// <summary>
/// A MIFARE Classic card as a PC/SC reader presents it (cards.md §4): the reader's Part 3 pseudo-ATR, and the reader's
/// own pseudo-APDUs, GET DATA (<c>FF CA</c>), LOAD KEY (<c>FF 82</c>), GENERAL AUTHENTICATE (<c>FF 86</c>, <c>63 00</c>
/// for a wrong key) and READ BINARY (<c>FF B0</c>, <c>69 82</c> outside the authenticated sector). Written apart from
/// the reader plugin so that the plugin is checked against a card it did not write.
/// </summary>
public sealed class VirtualClassicCard : IVirtualCard, ILeavingCard
{
    private const int BlockLength = 16;
    private const int KeySlots = 2;
    private readonly byte[] _uid;
    private readonly byte[] _atr;
    private readonly byte[][] _blocks;
    private readonly byte[]?[] _keySlots = new byte[KeySlots][];
    private int? _authenticatedSector;

    /// <summary>A blank card: every sector's key A and key B are the transport key <c>FF FF FF FF FF FF</c>.</summary>
    /// <param name="uid">The UID GET DATA returns (4 or 7 bytes).</param>
    /// <param name="size">1K or 4K.</param>
    public VirtualClassicCard(byte[] uid, ClassicCardSize size)
    {
        ArgumentNullException.ThrowIfNull(uid);
        if (uid.Length is not (4 or 7))
        {
            throw new ArgumentException("A MIFARE Classic UID has 4 or 7 bytes.", nameof(uid));
        }

        _uid = [.. uid];
        Size = size;
        SectorCount = size == ClassicCardSize.Classic1K ? 16 : 40;
        _blocks = [.. Enumerable.Range(0, BlockCountOf(size)).Select(_ => new byte[BlockLength])];
        for (var sector = 0; sector < SectorCount; sector++)
        {
            SetSectorKeys(sector, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        }

        _uid.AsSpan(0, 4).CopyTo(_blocks[0]);
        _atr = PseudoAtr((ushort)size);
    }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Atr => _atr;

    /// <summary>The UID.</summary>
    public ReadOnlyMemory<byte> Uid => _uid;

    /// <summary>1K or 4K.</summary>
    public ClassicCardSize Size { get; }

    /// <summary>16 or 40.</summary>
    public int SectorCount { get; }

    /// <summary>How many command APDUs the card answered.</summary>
    public int CommandCount { get; private set; }

    /// <summary>When set, the card leaves the field as the reader sends its first READ BINARY (see <see cref="LeavesFieldBefore"/>).</summary>
    public bool LeavesDuringRead { get; set; }

    /// <summary>The first block of <paramref name="sector"/>.</summary>
    public static int FirstBlockOf(int sector) => sector < 32 ? sector * 4 : 128 + ((sector - 32) * 16);

    /// <summary>The sector <paramref name="block"/> belongs to.</summary>
    public static int SectorOf(int block) => block < 128 ? block / 4 : 32 + ((block - 128) / 16);

    /// <summary>The PC/SC Part 3 pseudo-ATR of a storage card <paramref name="cardName"/> (ISO 14443 A part 3), with its TCK.</summary>
    public static byte[] PseudoAtr(ushort cardName)
    {
        byte[] atr = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, (byte)(cardName >> 8), (byte)cardName, 0x00, 0x00, 0x00, 0x00, 0x00];
        byte tck = 0;
        foreach (var b in atr.AsSpan(1, 18))
        {
            tck ^= b;
        }

        atr[19] = tck;
        return atr;
    }

    /// <summary>Writes a 16-byte data block (not a trailer: use <see cref="SetSectorKeys"/>).</summary>
    public void WriteBlock(int block, ReadOnlySpan<byte> data)
    {
        if (block <= 0 || block >= _blocks.Length || IsTrailer(block))
        {
            throw new ArgumentOutOfRangeException(nameof(block), $"Block {block} is not a data block of this card.");
        }

        if (data.Length != BlockLength)
        {
            throw new ArgumentException("A block has 16 bytes.", nameof(data));
        }

        data.CopyTo(_blocks[block]);
    }

    /// <summary>Sets a sector's key A and key B (the access bits stay the transport ones: key A reads the data blocks).</summary>
    public void SetSectorKeys(int sector, ReadOnlySpan<byte> keyA, ReadOnlySpan<byte> keyB)
    {
        if (keyA.Length != 6 || keyB.Length != 6)
        {
            throw new ArgumentException("A MIFARE Classic key has 6 bytes.");
        }

        var trailer = _blocks[TrailerOf(sector)];
        keyA.CopyTo(trailer);
        trailer[6] = 0xFF;
        trailer[7] = 0x07;
        trailer[8] = 0x80;
        trailer[9] = 0x69;
        keyB.CopyTo(trailer.AsSpan(10));
    }

    /// <summary>True for the command where the card leaves the field when <see cref="LeavesDuringRead"/> is set (the
    /// first READ BINARY), for <see cref="Vpcd.VpcdCardSlot.DropBeforeAnswer"/> and test readers.</summary>
    public bool LeavesFieldBefore(ReadOnlySpan<byte> apdu) =>
        LeavesDuringRead && apdu.Length >= 2 && apdu[0] == 0xFF && apdu[1] == 0xB0;

    /// <inheritdoc />
    public void PowerOn() => _authenticatedSector = null;

    /// <inheritdoc />
    public void PowerOff() => _authenticatedSector = null;

    /// <inheritdoc />
    public void Reset() => _authenticatedSector = null;

    /// <inheritdoc />
    public byte[] Transmit(ReadOnlySpan<byte> apdu)
    {
        CommandCount++;
        if (apdu.Length < 4)
        {
            return [0x67, 0x00];
        }

        if (apdu[0] != 0xFF)
        {
            // A storage card has no ISO 7816-4 applet: only the reader's own class is answered.
            return [0x6E, 0x00];
        }

        return apdu[1] switch
        {
            0xCA => GetData(apdu),
            0x82 => LoadKey(apdu),
            0x86 => GeneralAuthenticate(apdu),
            0xB0 => ReadBinary(apdu),
            _ => [0x6D, 0x00],
        };
    }

    private static int BlockCountOf(ClassicCardSize size) => size == ClassicCardSize.Classic1K ? 64 : 256;

    private static int TrailerOf(int sector) => FirstBlockOf(sector) + (sector < 32 ? 3 : 15);

    private static bool IsTrailer(int block) => TrailerOf(SectorOf(block)) == block;

    private byte[] GetData(ReadOnlySpan<byte> apdu) =>
        apdu[2] == 0x00 && apdu[3] == 0x00 ? [.. _uid, 0x90, 0x00] : [0x6A, 0x81];

    private byte[] LoadKey(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length != 11 || apdu[4] != 6)
        {
            return [0x67, 0x00];
        }

        if (apdu[2] != 0x00 || apdu[3] >= KeySlots)
        {
            // Only volatile slots exist on this reader.
            return [0x69, 0x86];
        }

        _keySlots[apdu[3]] = apdu.Slice(5, 6).ToArray();
        return [0x90, 0x00];
    }

    private byte[] GeneralAuthenticate(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length != 10 || apdu[4] != 5 || apdu[5] != 0x01)
        {
            return [0x67, 0x00];
        }

        _authenticatedSector = null;
        var block = (apdu[6] << 8) | apdu[7];
        var keyType = apdu[8];
        var slot = apdu[9];
        if (block >= _blocks.Length || keyType is not (0x60 or 0x61) || slot >= KeySlots)
        {
            return [0x63, 0x00];
        }

        if (_keySlots[slot] is not { } key)
        {
            return [0x69, 0x86];
        }

        var sector = SectorOf(block);
        var trailer = _blocks[TrailerOf(sector)];
        var expected = keyType == 0x60 ? trailer.AsSpan(0, 6) : trailer.AsSpan(10, 6);
        if (!expected.SequenceEqual(key))
        {
            return [0x63, 0x00];
        }

        _authenticatedSector = sector;
        return [0x90, 0x00];
    }

    private byte[] ReadBinary(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length != 5 || apdu[2] != 0x00)
        {
            return [0x67, 0x00];
        }

        var block = apdu[3];
        if (block >= _blocks.Length)
        {
            return [0x6A, 0x82];
        }

        if (_authenticatedSector != SectorOf(block))
        {
            return [0x69, 0x82];
        }

        if (apdu[4] != BlockLength)
        {
            return [0x6C, BlockLength];
        }

        var data = _blocks[block].ToArray();
        if (IsTrailer(block))
        {
            // A card never gives key A out, and key B only under access bits this layout does not use.
            Array.Clear(data, 0, 6);
            Array.Clear(data, 10, 6);
        }

        return [.. data, 0x90, 0x00];
    }
}
