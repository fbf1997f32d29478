namespace Middleware.VirtualCards.Izly;

/// <summary>The faults a virtual Izly card of any technology can show (<c>izly-vcard insert --fault</c>).</summary>
public enum ZdcFault
{
    /// <summary>A good card.</summary>
    None,

    /// <summary>The card's key comes from another master key: authentication fails (no key on Calypso).</summary>
    WrongKey,

    /// <summary>The record's check byte does not match.</summary>
    CorruptedCheckByte,

    /// <summary>The record's BCD creation date is not a real date (30 February), with a right check byte.</summary>
    ImpossibleDate,

    /// <summary>The card leaves the field between authentication (or selection) and the read of the record.</summary>
    RemovedMidRead,
}
