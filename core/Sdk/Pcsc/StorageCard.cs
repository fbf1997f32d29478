using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>Storage-card standards and names in a PC/SC Part 3 pseudo-ATR.</summary>
/// <param name="Standard">The standard byte (e.g. <c>0x03</c> ISO 14443 A part 3).</param>
/// <param name="CardName">The card name (e.g. <c>0x0001</c> MIFARE Classic 1K, <c>0x0002</c> 4K, <c>0x003A</c> Ultralight C).</param>
public readonly record struct StorageCardType(byte Standard, ushort CardName)
{
    /// <summary>MIFARE Classic 1K.</summary>
    public const ushort Classic1K = 0x0001;

    /// <summary>MIFARE Classic 4K.</summary>
    public const ushort Classic4K = 0x0002;

    /// <summary>MIFARE Ultralight C.</summary>
    public const ushort UltralightC = 0x003A;

    /// <summary>
    /// Reads the pseudo-ATR a PC/SC reader builds for a storage card:
    /// <c>3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00 TCK</c>. False for any other ATR, a bad length or a
    /// wrong check byte.
    /// </summary>
    /// <param name="atr">The ATR.</param>
    /// <param name="type">The standard and card name.</param>
    public static bool TryParse(ReadOnlySpan<byte> atr, out StorageCardType type)
    {
        type = default;
        ReadOnlySpan<byte> head = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06];
        if (atr.Length != 20 || !atr[..12].SequenceEqual(head))
        {
            return false;
        }

        byte tck = 0;
        foreach (var b in atr[1..19])
        {
            tck ^= b;
        }

        if (tck != atr[19])
        {
            return false;
        }

        type = new StorageCardType(atr[12], (ushort)((atr[13] << 8) | atr[14]));
        return true;
    }
}

/// <summary>
/// The reader's own PC/SC Part 3 pseudo-APDUs for storage cards (MIFARE Classic): the UID, a key loaded into the
/// reader, authentication of a block, reading binary blocks. Errors come as <see cref="CardProtocolException"/>, with
/// the two cases a plugin tells apart as <see cref="CardReadException"/>: a wrong key (<c>63 00</c> after GENERAL
/// AUTHENTICATE) is <see cref="CardReadError.AuthenticationFailed"/>; an access refused (<c>69 82</c> after READ BINARY,
/// a block outside the authenticated sector) is <see cref="CardReadError.CardError"/> naming the block.
/// </summary>
public static class StorageCard
{
    /// <summary>Key A or key B of a MIFARE Classic sector.</summary>
    public enum KeyType : byte
    {
        /// <summary>Key A (<c>0x60</c>).</summary>
        A = 0x60,

        /// <summary>Key B (<c>0x61</c>).</summary>
        B = 0x61,
    }

    /// <summary><c>FF CA 00 00 00</c>: the card's UID.</summary>
    /// <param name="card">The card.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task<byte[]> GetUidAsync(this IPcscCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        var response = ApduResponse.Parse(await card.TransmitAsync(new byte[] { 0xFF, 0xCA, 0x00, 0x00, 0x00 }, cancellationToken).ConfigureAwait(false));
        var uid = response.Expect("GET DATA (UID)");
        return uid.Length is 4 or 7 or 10
            ? uid.ToArray()
            : throw new CardProtocolException($"GET DATA (UID): {uid.Length} bytes, a UID has 4, 7 or 10.");
    }

    /// <summary><c>FF 82 00 slot 06 key</c>: loads a 6-byte key into the reader's volatile slot.</summary>
    /// <param name="card">The card.</param>
    /// <param name="key">The 6-byte key. The caller clears it afterwards.</param>
    /// <param name="slot">The reader's key slot (0 by default).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task LoadKeyAsync(this IPcscCard card, ReadOnlyMemory<byte> key, byte slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (key.Length != 6)
        {
            throw new ArgumentException("A MIFARE Classic key has 6 bytes.", nameof(key));
        }

        var apdu = new byte[11];
        try
        {
            apdu[0] = 0xFF;
            apdu[1] = 0x82;
            apdu[3] = slot;
            apdu[4] = 6;
            key.Span.CopyTo(apdu.AsSpan(5));
            ApduResponse.Parse(await card.TransmitAsync(apdu, cancellationToken).ConfigureAwait(false)).Expect("LOAD KEY");
        }
        finally
        {
            Array.Clear(apdu);
        }
    }

    /// <summary><c>FF 86 00 00 05 01 00 block keyType slot</c>: authenticates the sector of <paramref name="block"/>.</summary>
    /// <param name="card">The card.</param>
    /// <param name="block">A block of the sector.</param>
    /// <param name="keyType">Key A or B.</param>
    /// <param name="slot">The reader's slot holding the key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task AuthenticateAsync(this IPcscCard card, byte block, KeyType keyType, byte slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        var response = ApduResponse.Parse(await card.TransmitAsync(
            new byte[] { 0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, block, (byte)keyType, slot }, cancellationToken).ConfigureAwait(false));
        if (response.StatusWord == 0x6300)
        {
            throw new CardReadException(CardReadError.AuthenticationFailed, $"GENERAL AUTHENTICATE of block {block}: the card refused the key (63 00).");
        }

        response.Expect($"GENERAL AUTHENTICATE of block {block}");
    }

    /// <summary><c>FF B0 00 block length</c>: reads <paramref name="length"/> bytes from <paramref name="block"/>.</summary>
    /// <param name="card">The card.</param>
    /// <param name="block">The block (or page) number.</param>
    /// <param name="length">How many bytes (1..255; 16 for a MIFARE Classic block).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task<byte[]> ReadBinaryAsync(this IPcscCard card, byte block, byte length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        var response = ApduResponse.Parse(await card.TransmitAsync(new byte[] { 0xFF, 0xB0, 0x00, block, length }, cancellationToken).ConfigureAwait(false));
        if (response.StatusWord == 0x6982)
        {
            // Not a wrong key (that is 63 00 at GENERAL AUTHENTICATE): the block lies outside the authenticated sector.
            throw new CardReadException(CardReadError.CardError, $"READ BINARY of block {block}: access refused, its sector is not authenticated (69 82).");
        }

        var data = response.Expect($"READ BINARY of block {block}");
        return data.Length == length
            ? data.ToArray()
            : throw new CardProtocolException($"READ BINARY of block {block}: {data.Length} bytes, {length} asked.");
    }
}
