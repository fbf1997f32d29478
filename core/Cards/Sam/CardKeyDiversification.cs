using System.Security.Cryptography;
using Middleware.Cards.Crypto;
using Middleware.Contracts.Readers;

namespace Middleware.Cards.Sam;

/// <summary>
/// The card-key diversification of <c>cards.md</c> §2, for the issuer side: the software SAM uses it internally, and the
/// virtual-card personalisation uses it to give a card the keys a SAM with the same master keys expects.
/// </summary>
public static class CardKeyDiversification
{
    /// <summary>The default system identifier appended to every input: ASCII <c>CROUS</c>.</summary>
    public static ReadOnlySpan<byte> DefaultSystemIdentifier => "CROUS"u8;

    /// <summary>
    /// The AN10922 input M of <c>cards.md</c> §2 for <paramref name="technology"/>: DESFire <c>UID(7) ‖ AID (LSB first) ‖ id</c>,
    /// Classic <c>UID(4|7) ‖ sector ‖ id</c>, Ultralight C <c>UID(7) ‖ id</c>, where id is the system identifier (ASCII <c>CROUS</c>).
    /// Throws <see cref="SamException"/> (<see cref="SamError.InvalidInput"/>) on a wrong UID length or a missing AID or sector.
    /// </summary>
    public static byte[] BuildInput(SamTechnology technology, SamDiversification diversification, ReadOnlySpan<byte> systemIdentifier)
    {
        var uid = diversification.Uid.Span;
        var m = new List<byte>(32);
        switch (technology)
        {
            case SamTechnology.Desfire:
                if (uid.Length != 7)
                {
                    throw new SamException(SamError.InvalidInput, $"A DESFire UID is 7 bytes, not {uid.Length} (random UIDs are not used by this layout).");
                }

                if (diversification.ApplicationId is not { } aid || aid > 0xFFFFFF)
                {
                    throw new SamException(SamError.InvalidInput, "DESFire diversification needs a 3-byte application id.");
                }

                m.AddRange(uid);
                m.Add((byte)aid);
                m.Add((byte)(aid >> 8));
                m.Add((byte)(aid >> 16));
                break;
            case SamTechnology.Classic:
                if (uid.Length is not (4 or 7))
                {
                    throw new SamException(SamError.InvalidInput, $"A MIFARE Classic UID is 4 or 7 bytes, not {uid.Length}.");
                }

                if (diversification.Sector is not { } sector)
                {
                    throw new SamException(SamError.InvalidInput, "MIFARE Classic diversification needs the sector number.");
                }

                m.AddRange(uid);
                m.Add(sector);
                break;
            case SamTechnology.UltralightC:
                if (uid.Length != 7)
                {
                    throw new SamException(SamError.InvalidInput, $"An Ultralight C UID is 7 bytes, not {uid.Length}.");
                }

                m.AddRange(uid);
                break;
            default:
                throw new SamException(SamError.InvalidInput, $"Unknown technology {technology}.");
        }

        m.AddRange(systemIdentifier);
        if (m.Count > An10922.MaxInputLength)
        {
            throw new SamException(SamError.InvalidInput, "The diversification input is longer than 31 bytes.");
        }

        return [.. m];
    }

    /// <summary>
    /// The card key for <paramref name="diversification"/> from an AES-128 <paramref name="masterKey"/> (AN10922):
    /// the DESFire AES key, the Ultralight C 2K3DES key, or the Classic key A in its first 6 bytes. The caller wipes the result.
    /// </summary>
    public static byte[] Derive(ReadOnlySpan<byte> masterKey, SamTechnology technology, SamDiversification diversification, ReadOnlySpan<byte> systemIdentifier)
    {
        var input = BuildInput(technology, diversification, systemIdentifier);
        try
        {
            return An10922.DiversifyAes128(masterKey, input);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary><see cref="Derive(ReadOnlySpan{byte}, SamTechnology, SamDiversification, ReadOnlySpan{byte})"/> with the default system identifier.</summary>
    public static byte[] Derive(ReadOnlySpan<byte> masterKey, SamTechnology technology, SamDiversification diversification) =>
        Derive(masterKey, technology, diversification, DefaultSystemIdentifier);
}
