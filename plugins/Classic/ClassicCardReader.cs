using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;

namespace Middleware.Plugins.Classic;

/// <summary>
/// The read sequence of <c>cards.md</c> §4 on one connected card: UID, key A of the ZDC sector diversified by the SAM
/// (§2), LOAD KEY, GENERAL AUTHENTICATE, READ BINARY of the two blocks, ZDC parse. Throws
/// <see cref="CardReadException"/> for card-side failures; PC/SC, SAM and ZDC exceptions pass through for the SDK's base
/// to map.
/// </summary>
internal sealed class ClassicCardReader(IPcscCard connection, ISam sam, byte samKeyNumber, ClassicLayout layout)
{
    private const int PaddedLength = 2 * ClassicCommands.BlockLength;

    public async Task<ZdcRecord> ReadAsync(CancellationToken cancellationToken)
    {
        var uid = await ReadUidAsync(cancellationToken);
        await LoadKeyAAsync(uid, cancellationToken);
        await ClassicCommands.AuthenticateKeyAAsync(connection, layout.Sector, layout.FirstBlock, cancellationToken);

        var data = new byte[PaddedLength];
        try
        {
            (await ClassicCommands.ReadBlockAsync(connection, layout.FirstBlock, cancellationToken)).CopyTo(data, 0);
            (await ClassicCommands.ReadBlockAsync(connection, layout.SecondBlock, cancellationToken)).CopyTo(data, ClassicCommands.BlockLength);
            if (data.AsSpan(ZdcCodec.Length).IndexOfAnyExcept((byte)0) >= 0)
            {
                // §4: the record is followed by 3 zero bytes; anything else is not the Izly layout.
                throw new ZdcFormatException("padding", $"the 3 bytes after the record in blocks {layout.FirstBlock}–{layout.SecondBlock} are not zero.");
            }

            return ZdcCodec.Parse(data.AsSpan(0, ZdcCodec.Length));
        }
        finally
        {
            Array.Clear(data);
        }
    }

    /// <summary>GET DATA: the UID exactly as the reader gives it, the diversification input of §2 (4 or 7 bytes).</summary>
    private async Task<byte[]> ReadUidAsync(CancellationToken cancellationToken)
    {
        var response = await ClassicCommands.TransmitAsync(connection, [0xFF, 0xCA, 0x00, 0x00, 0x00], "GET DATA (UID)", cancellationToken);
        if (!response.IsSuccess)
        {
            throw new CardReadException(CardReadError.CardError, $"GET DATA (UID): unexpected status {response.StatusWord:X4}.");
        }

        return response.Data.Length is 4 or 7
            ? response.Data.ToArray()
            : throw new CardReadException(CardReadError.CardError, $"GET DATA (UID): {response.Data.Length} bytes, a MIFARE Classic UID has 4 or 7.");
    }

    /// <summary>Key A of the ZDC sector from the SAM into the reader's volatile slot 0; every copy is wiped at once.</summary>
    private async Task LoadKeyAAsync(byte[] uid, CancellationToken cancellationToken)
    {
        using var exported = await sam.ExportDiversifiedKeyAsync(
            new SamKeyReference(SamTechnology.Classic, samKeyNumber),
            SamDiversification.ForClassic(uid, layout.Sector),
            cancellationToken);
        if (exported.Key.Length < 6)
        {
            throw new SamException(SamError.InvalidInput, $"The SAM exported {exported.Key.Length} bytes for the Classic key, at least 6 expected.");
        }

        var keyA = exported.Key[..6].ToArray();
        try
        {
            await ClassicCommands.LoadKeyAsync(connection, keyA, layout.Sector, cancellationToken);
        }
        finally
        {
            Array.Clear(keyA);
        }
    }
}
