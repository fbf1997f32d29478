using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;

namespace Company.IzlyReader;

/// <summary>
/// The read sequence of cards.md §4 with the SDK's PC/SC Part 3 helpers: LOAD KEY into the reader's slot 0, GENERAL
/// AUTHENTICATE the ZDC's sector with key A, READ BINARY its two blocks, then <see cref="ZdcCodec"/> checks the record.
/// </summary>
internal static class ClassicCardReader
{
    private const byte KeySlot = 0;
    private const int BlockLength = 16;

    /// <summary>Reads and checks the ZDC. Throws what the card does: <see cref="CardReadException"/> for a wrong key,
    /// <see cref="ZdcFormatException"/> for a bad record, <see cref="CardProtocolException"/> for an unexpected answer,
    /// <see cref="SmartCardException"/> from PC/SC; the SDK's base maps them all for the host.</summary>
    public static async Task<ZdcRecord> ReadZdcAsync(IPcscCard card, ClassicLayout layout, ReadOnlyMemory<byte> keyA, CancellationToken cancellationToken)
    {
        await card.LoadKeyAsync(keyA, KeySlot, cancellationToken).ConfigureAwait(false);
        await card.AuthenticateAsync(layout.FirstBlock, StorageCard.KeyType.A, KeySlot, cancellationToken).ConfigureAwait(false);
        var first = await card.ReadBinaryAsync(layout.FirstBlock, BlockLength, cancellationToken).ConfigureAwait(false);
        var second = await card.ReadBinaryAsync(layout.SecondBlock, BlockLength, cancellationToken).ConfigureAwait(false);

        var blocks = new byte[2 * BlockLength];
        first.CopyTo(blocks, 0);
        second.CopyTo(blocks, BlockLength);

        // The record is followed by 3 zero bytes: anything else there is not a ZDC written by the Crous tool.
        if (blocks.AsSpan(ZdcCodec.Length).IndexOfAnyExcept((byte)0) >= 0)
        {
            throw new ZdcFormatException("padding", $"the 3 bytes after the record in block {layout.SecondBlock} must be zero.");
        }

        return ZdcCodec.Parse(blocks.AsSpan(0, ZdcCodec.Length));
    }
}
