using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Classic;

/// <summary>
/// GENERAL AUTHENTICATE and READ BINARY (PC/SC Part 3, <c>cards.md</c> §4) with this plugin's own errors: the SDK's
/// helpers report <c>69 82</c> as an authentication failure, whereas here a wrong key (<c>63 00</c>) and a block whose
/// access is refused (<c>69 82</c>) are told apart.
/// </summary>
internal static class ClassicCommands
{
    public const byte BlockLength = 16;

    /// <summary><c>FF 86 00 00 05 01 00 block 60 00</c>: authenticates the block's sector with key A from slot 0.</summary>
    public static async Task AuthenticateKeyAAsync(IPcscCard card, byte sector, byte block, CancellationToken cancellationToken)
    {
        var response = await TransmitAsync(card, [0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, block, (byte)StorageCard.KeyType.A, 0x00], $"GENERAL AUTHENTICATE of block {block}", cancellationToken);
        switch (response.StatusWord)
        {
            case 0x9000:
                return;
            case 0x6300:
                throw new CardReadException(CardReadError.AuthenticationFailed, $"GENERAL AUTHENTICATE: the card refused key A of sector {sector} (63 00): wrong key or not an Izly card.");
            default:
                throw new CardReadException(CardReadError.CardError, $"GENERAL AUTHENTICATE of block {block} (sector {sector}): unexpected status {response.StatusWord:X4}.");
        }
    }

    /// <summary><c>FF B0 00 block 10</c>: the 16 bytes of one block.</summary>
    public static async Task<byte[]> ReadBlockAsync(IPcscCard card, byte block, CancellationToken cancellationToken)
    {
        var response = await TransmitAsync(card, [0xFF, 0xB0, 0x00, block, BlockLength], $"READ BINARY of block {block}", cancellationToken);
        if (response.StatusWord == 0x6982)
        {
            throw new CardReadException(CardReadError.CardError, $"READ BINARY of block {block}: access refused (69 82): the block's sector is not authenticated or its access bits forbid reading with key A.");
        }

        if (!response.IsSuccess)
        {
            throw new CardReadException(CardReadError.CardError, $"READ BINARY of block {block}: unexpected status {response.StatusWord:X4}.");
        }

        return response.Data.Length == BlockLength
            ? response.Data.ToArray()
            : throw new CardReadException(CardReadError.CardError, $"READ BINARY of block {block}: {response.Data.Length} data bytes, {BlockLength} expected.");
    }

    /// <summary><c>FF 82 00 00 06 key</c>: loads key A into the reader's volatile slot 0; the APDU's copy is wiped.</summary>
    public static async Task LoadKeyAsync(IPcscCard card, ReadOnlyMemory<byte> key, byte sector, CancellationToken cancellationToken)
    {
        var apdu = new byte[11];
        try
        {
            apdu[0] = 0xFF;
            apdu[1] = 0x82;
            apdu[4] = 6;
            key.Span.CopyTo(apdu.AsSpan(5));
            var response = await TransmitAsync(card, apdu, "LOAD KEY", cancellationToken);
            if (!response.IsSuccess)
            {
                throw new CardReadException(CardReadError.CardError, $"LOAD KEY: the reader refused key A of sector {sector} (status {response.StatusWord:X4}).");
            }
        }
        finally
        {
            Array.Clear(apdu);
        }
    }

    /// <summary>One exchange. An answer that comes back after the read's deadline (a PC/SC transmit cannot be
    /// interrupted; a driver may end a silent card's wait with <c>6F 00</c>) is not judged: the deadline is what happened.</summary>
    public static async Task<ApduResponse> TransmitAsync(IPcscCard card, byte[] apdu, string step, CancellationToken cancellationToken)
    {
        var answer = await card.TransmitAsync(apdu, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return answer.Length >= 2
            ? ApduResponse.Parse(answer)
            : throw new CardReadException(CardReadError.CardError, $"{step}: the answer is {answer.Length} byte(s), without a status word.");
    }
}
