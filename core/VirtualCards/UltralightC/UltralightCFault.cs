namespace Middleware.VirtualCards.UltralightC;

/// <summary>What a virtual Ultralight C card does wrong, to test readers against it.</summary>
public enum UltralightCFault
{
    /// <summary>A good card.</summary>
    None,

    /// <summary>The card holds another key: it NAKs the reader's answer, as a genuine card does.</summary>
    WrongKey,

    /// <summary>The card accepts any reader answer and proves with another RndA (a counterfeit): the reader's RndA check fails.</summary>
    WrongProof,

    /// <summary>The ZDC's check byte is wrong.</summary>
    CorruptedCheckByte,

    /// <summary>The ZDC's BCD creation date is impossible (30 February), with a right check byte.</summary>
    ImpossibleDate,

    /// <summary>The card NAKs (0x0) the read of page 8.</summary>
    NakOnRead,

    /// <summary>The card leaves the field at the first native READ, after the mutual authentication.</summary>
    RemovedMidRead,
}
