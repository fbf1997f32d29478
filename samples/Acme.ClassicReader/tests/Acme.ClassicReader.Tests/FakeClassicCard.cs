using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Zdc;

namespace Acme.ClassicReader.Tests;

/// <summary>
/// A MIFARE Classic card on a PC/SC reader, answering the reader's Part 3 pseudo-APDUs as cards.md §4 describes:
/// LOAD KEY fills slot 0, GENERAL AUTHENTICATE answers <c>63 00</c> for a wrong key, READ BINARY answers <c>69 82</c>
/// for a block whose sector is not authenticated. Sectors: 4 blocks each below block 128, 16 blocks each from there.
/// </summary>
internal sealed class FakeClassicCard : IPcscCard
{
    private readonly byte[] _key;
    private readonly byte[][] _blocks;
    private byte[]? _slot0;
    private int? _authenticatedSector;

    public FakeClassicCard(bool is4K, byte[] keyA, string readerName = "ACS ACR1252 PICC 00 00")
    {
        _key = keyA;
        _blocks = Enumerable.Range(0, is4K ? 256 : 64).Select(_ => new byte[16]).ToArray();
        ReaderName = readerName;
        Atr = PseudoAtr(is4K ? (ushort)0x0002 : (ushort)0x0001);
    }

    public string ReaderName { get; }

    public ReadOnlyMemory<byte> Atr { get; }

    /// <summary>Every command the card received, to check the sequence.</summary>
    public List<byte[]> Commands { get; } = [];

    /// <summary>When set, the card leaves the field on this command (0-based index).</summary>
    public int? RemoveOnCommand { get; set; }

    /// <summary>When set, the card never answers this command (a card held at the edge of the field).</summary>
    public int? HangOnCommand { get; set; }

    /// <summary>The PC/SC Part 3 pseudo-ATR of a storage card with <paramref name="cardName"/>.</summary>
    public static byte[] PseudoAtr(ushort cardName)
    {
        byte[] atr = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, (byte)(cardName >> 8), (byte)cardName, 0, 0, 0, 0, 0];
        for (var i = 1; i < 19; i++)
        {
            atr[19] ^= atr[i];
        }

        return atr;
    }

    /// <summary>Writes the ZDC as the Crous tool does: the record then 3 zero bytes over two blocks.</summary>
    public void WriteZdc(byte firstBlock, byte[] record)
    {
        var data = new byte[32];
        record.CopyTo(data, 0);
        WriteBlock(firstBlock, data.AsSpan(0, 16));
        WriteBlock((byte)(firstBlock + 1), data.AsSpan(16, 16));
    }

    public void WriteBlock(byte block, ReadOnlySpan<byte> data) => data.CopyTo(_blocks[block]);

    public async Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var index = Commands.Count;
        var c = apdu.ToArray();
        Commands.Add(c);
        if (index == RemoveOnCommand)
        {
            throw new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "The card was removed.");
        }

        if (index == HangOnCommand)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return c switch
        {
            [0xFF, 0xCA, 0x00, 0x00, 0x00] => [0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00],
            [0xFF, 0x82, 0x00, 0x00, 0x06, .. var key] when key.Length == 6 => LoadKey(key),
            [0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, var block, 0x60, 0x00] => Authenticate(block),
            [0xFF, 0xB0, 0x00, var block, 0x10] => ReadBinary(block),
            _ => [0x6D, 0x00],
        };
    }

    private static int SectorOf(int block) => block < 128 ? block / 4 : 32 + ((block - 128) / 16);

    private byte[] LoadKey(byte[] key)
    {
        _slot0 = key;
        return [0x90, 0x00];
    }

    private byte[] Authenticate(byte block)
    {
        if (block >= _blocks.Length)
        {
            return [0x6A, 0x82];
        }

        if (_slot0 is null || !_slot0.AsSpan().SequenceEqual(_key))
        {
            _authenticatedSector = null;
            return [0x63, 0x00];
        }

        _authenticatedSector = SectorOf(block);
        return [0x90, 0x00];
    }

    private byte[] ReadBinary(byte block)
    {
        if (block >= _blocks.Length)
        {
            return [0x6A, 0x82];
        }

        if (_authenticatedSector != SectorOf(block))
        {
            return [0x69, 0x82];
        }

        return [.. _blocks[block], 0x90, 0x00];
    }
}

/// <summary>The worked example of cards.md §1: Crous 5, card 36000000, created 2 September 2024.</summary>
internal static class SampleZdc
{
    public static ZdcRecord Record { get; } = new(1, 0xD1, 0x03, 0, 65, 1, 5, 36_000_000, "04A1B2C3D4E5F6", new DateOnly(2024, 9, 2));

    public static byte[] Bytes => ZdcCodec.Write(Record);

    public static byte[] Key { get; } = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5];

    public const string KeyHex = "A0A1A2A3A4A5";
}
