using Middleware.VirtualCards.Crypto;
using Middleware.VirtualCards.Izly;

namespace Middleware.VirtualCards.Calypso;

/// <summary>How a virtual Calypso card answers the reader (cards.md §6).</summary>
public enum CalypsoCardRevision
{
    /// <summary>Rev2/3: SELECT by AID, then READ RECORD with CLA 00.</summary>
    Rev3,

    /// <summary>Rev1: refuses the SELECT (<c>6E 00</c>), answers READ RECORD with CLA 94 only.</summary>
    Rev1,
}

/// <summary>A fault the virtual card shows, for testing readers and tills against broken cards.</summary>
public enum CalypsoCardFault
{
    /// <summary>A good card.</summary>
    None,

    /// <summary>The record's check byte is wrong.</summary>
    CorruptedCheckByte,

    /// <summary>The record's creation date is not a real date (30 February), with a correct check byte.</summary>
    ImpossibleDate,

    /// <summary>The card leaves the field at READ RECORD (see <see cref="VirtualCalypsoCard.LeavesFieldBefore"/>).</summary>
    RemovedMidRead,

    /// <summary>READ RECORD answers <c>6A 83</c> (record not found).</summary>
    RecordNotFound,
}

/// <summary>
/// A Calypso card carrying the 29-byte ZDC in record 1 of SFI 0x1A (cards.md §6), readable without a SAM. Written from
/// the document apart from the reader plugin.
/// </summary>
public sealed class VirtualCalypsoCard : IVirtualCard, ILeavingCard
{
    /// <summary>The PC/SC pseudo-ATR of a Calypso card over Innovatron B' (historical bytes <c>80 5A 0A ...</c>).</summary>
    public static readonly byte[] InnovatronAtr = Convert.FromHexString("3B8F8001805A0A0103200311C0FFEE008290002D");

    private static readonly byte[] Aid = "1TIC.ICA"u8.ToArray();
    private const byte Sfi = 0x1A;

    private readonly byte[] _record;
    private bool _selected;

    /// <summary>Creates the card.</summary>
    /// <param name="zdc">The 29-byte ZDC record (e.g. <c>ZdcDescription.Encode()</c>).</param>
    /// <param name="revision">How it answers.</param>
    /// <param name="fault">A fault to show, if any.</param>
    /// <param name="atr">Its ATR; default <see cref="InnovatronAtr"/>.</param>
    public VirtualCalypsoCard(byte[] zdc, CalypsoCardRevision revision = CalypsoCardRevision.Rev3, CalypsoCardFault fault = CalypsoCardFault.None, byte[]? atr = null)
    {
        ArgumentNullException.ThrowIfNull(zdc);
        if (zdc.Length != 29)
        {
            throw new ArgumentException($"A ZDC record is 29 bytes, not {zdc.Length}.", nameof(zdc));
        }

        _record = [.. zdc];
        Revision = revision;
        Fault = fault;
        Atr = atr ?? InnovatronAtr;
        if (fault == CalypsoCardFault.CorruptedCheckByte)
        {
            ZdcRecordFaults.CorruptCheckByte(_record);
        }
        else if (fault == CalypsoCardFault.ImpossibleDate)
        {
            ZdcRecordFaults.MakeDateImpossible(_record);
        }
    }

    /// <summary>How it answers.</summary>
    public CalypsoCardRevision Revision { get; }

    /// <summary>The fault it shows.</summary>
    public CalypsoCardFault Fault { get; }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Atr { get; }

    /// <summary>True when the card leaves the field before answering <paramref name="apdu"/> (fault
    /// <see cref="CalypsoCardFault.RemovedMidRead"/>: at READ RECORD); for <c>VpcdCardSlot.DropBeforeAnswer</c>.</summary>
    public bool LeavesFieldBefore(ReadOnlySpan<byte> apdu) =>
        Fault == CalypsoCardFault.RemovedMidRead && apdu.Length >= 2 && apdu[1] == 0xB2;

    /// <inheritdoc />
    public void PowerOn() => _selected = false;

    /// <inheritdoc />
    public void PowerOff() => _selected = false;

    /// <inheritdoc />
    public void Reset() => _selected = false;

    /// <inheritdoc />
    public byte[] Transmit(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length < 4)
        {
            return [0x67, 0x00];
        }

        var cla = apdu[0];
        var ins = apdu[1];
        var expectedClass = Revision == CalypsoCardRevision.Rev1 ? (byte)0x94 : (byte)0x00;
        if (cla != expectedClass)
        {
            return [0x6E, 0x00];
        }

        return ins switch
        {
            0xA4 => Select(apdu),
            0xB2 => ReadRecord(apdu),
            _ => [0x6D, 0x00],
        };
    }

    private byte[] Select(ReadOnlySpan<byte> apdu)
    {
        if (apdu[2] != 0x04 || apdu.Length < 5 || apdu.Length < 5 + apdu[4])
        {
            return [0x6A, 0x86];
        }

        if (!apdu.Slice(5, apdu[4]).SequenceEqual(Aid))
        {
            _selected = false;
            return [0x6A, 0x82];
        }

        _selected = true;

        // A minimal FCI: the DF name.
        return [0x6F, (byte)(Aid.Length + 2), 0x84, (byte)Aid.Length, .. Aid, 0x90, 0x00];
    }

    private byte[] ReadRecord(ReadOnlySpan<byte> apdu)
    {
        if (Revision == CalypsoCardRevision.Rev3 && !_selected)
        {
            return [0x69, 0x85]; // conditions of use not satisfied: no application selected
        }

        if ((apdu[3] & 0x07) != 0x04)
        {
            return [0x6A, 0x86];
        }

        if (apdu[3] >> 3 != Sfi)
        {
            return [0x6A, 0x82];
        }

        if (apdu[2] != 1 || Fault == CalypsoCardFault.RecordNotFound)
        {
            return [0x6A, 0x83];
        }

        var le = apdu.Length >= 5 ? apdu[4] : 0;
        if (le != 0 && le != _record.Length)
        {
            return [0x6C, (byte)_record.Length];
        }

        return [.. _record, 0x90, 0x00];
    }
}
