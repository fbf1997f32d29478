namespace Middleware.Contracts.Readers;

/// <summary>The card technologies an Izly card can use.</summary>
public enum CardTechnology
{
    /// <summary>MIFARE DESFire EV1 or EV2 (read with a SAM).</summary>
    Desfire,

    /// <summary>MIFARE Classic 1K (read with a SAM).</summary>
    Classic1K,

    /// <summary>MIFARE Classic 4K (read with a SAM).</summary>
    Classic4K,

    /// <summary>MIFARE Ultralight C (read with a SAM).</summary>
    UltralightC,

    /// <summary>Calypso (read without a SAM: not authenticated).</summary>
    Calypso,

    /// <summary>Read by an Ingenico Tetra terminal, whose own SAM read the card.</summary>
    Tetra,
}

/// <summary>
/// The identity read from a card's ZDC: what the Izly API needs to find the right holder and debit.
/// </summary>
/// <param name="IdSupport">The card number (<c>idZdc</c>), decimal without leading zeros.</param>
/// <param name="NumeroApplicatif">The application number: 14 upper-case hexadecimal digits.</param>
/// <param name="Technology">How the card was read.</param>
/// <param name="ReaderName">The reader that read it.</param>
/// <param name="SamId">The SAM that authenticated the read; <c>null</c> when read without a SAM.</param>
/// <param name="Authenticated">True when a SAM proved the card genuine (false for Calypso without SAM).</param>
/// <param name="IssuerCrous">The <c>idCrous</c> of the issuing Crous, from the ZDC.</param>
/// <param name="CreationDate">The ZDC's creation date.</param>
public sealed record CardIdentity(
    string IdSupport,
    string NumeroApplicatif,
    CardTechnology Technology,
    string ReaderName,
    string? SamId,
    bool Authenticated,
    int? IssuerCrous = null,
    DateOnly? CreationDate = null)
{
    /// <summary>The card number with all but its last 4 digits masked, for logs and screens.</summary>
    public string MaskedIdSupport => IdSupport.Length <= 4 ? "****" : new string('*', IdSupport.Length - 4) + IdSupport[^4..];

    /// <inheritdoc />
    public override string ToString() => $"{Technology} card {MaskedIdSupport} on {ReaderName}";
}
