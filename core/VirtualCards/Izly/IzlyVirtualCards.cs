using System.Security.Cryptography;
using Middleware.VirtualCards.Calypso;
using Middleware.VirtualCards.Crypto;
using Middleware.VirtualCards.Desfire;

namespace Middleware.VirtualCards.Izly;

/// <summary>Where the ZDC sits on a DESFire card (cards.md §3 defaults).</summary>
public sealed record IzlyDesfireLayout
{
    /// <summary>The application identifier (default <c>F58540</c>).</summary>
    public uint Aid { get; init; } = 0xF58540;

    /// <summary>The ZDC file number (default 0).</summary>
    public byte FileNo { get; init; }

    /// <summary>The key number that reads the file (default 1).</summary>
    public byte ReadKeyNo { get; init; } = 1;

    /// <summary>The key number that writes the file (default 2).</summary>
    public byte WriteKeyNo { get; init; } = 2;

    /// <summary>The application's key settings (default 0x0B: master key changeable, free listing,
    /// configuration changeable; creating and deleting files needs the master key).</summary>
    public byte KeySettings { get; init; } = 0x0B;
}

/// <summary>The keys of a virtual Izly card: SAM master keys (diversified here per AN10922, cards.md §2) or
/// keys already diversified for this card.</summary>
/// <param name="ReadKey">Key 1 (or the layout's read key).</param>
/// <param name="ApplicationMasterKey">Key 0; random when absent.</param>
/// <param name="WriteKey">Key 2; random when absent.</param>
/// <param name="AlreadyDiversified">True when the keys are the card's own keys, used as they are.</param>
public sealed record IzlyCardKeys(byte[] ReadKey, byte[]? ApplicationMasterKey = null, byte[]? WriteKey = null, bool AlreadyDiversified = false);

/// <summary>Personalises virtual DESFire cards as Izly cards.</summary>
public static class IzlyVirtualCards
{
    /// <summary>
    /// A DESFire EV1 card carrying <paramref name="zdc"/> in the Izly layout: application <c>F58540</c> with 3 AES
    /// keys, file 00 (29 bytes, fully enciphered, read key 1, write key 2, read-write never, change key 0).
    /// </summary>
    /// <param name="zdc">The ZDC to write.</param>
    /// <param name="uid">The card's 7-byte UID (also the diversification input).</param>
    /// <param name="keys">Master keys to diversify, or the card's keys.</param>
    /// <param name="layout">Where to put it (defaults of cards.md §3).</param>
    /// <param name="random">The card's random source for RndB; cryptographic by default (a benchmark fixes it to replay
    /// a recorded APDU sequence).</param>
    /// <param name="fault">A fault the card shows (<see cref="ZdcFault"/>).</param>
    public static VirtualDesfireCard FromZdc(ZdcDescription zdc, byte[] uid, IzlyCardKeys keys, IzlyDesfireLayout? layout = null, Func<int, byte[]>? random = null,
        ZdcFault fault = ZdcFault.None)
    {
        ArgumentNullException.ThrowIfNull(zdc);
        ArgumentNullException.ThrowIfNull(keys);
        layout ??= new IzlyDesfireLayout();
        keys = fault == ZdcFault.WrongKey ? new IzlyCardKeys(RandomNumberGenerator.GetBytes(16)) : keys;
        var record = ZdcRecordFaults.Apply(zdc.Encode(), fault);
        var input = An10922.DesfireInput(uid, layout.Aid);

        byte[] CardKey(byte[]? key) => key is null
            ? RandomNumberGenerator.GetBytes(16)
            : keys.AlreadyDiversified ? [.. key] : An10922.DiversifyAes128(key, input);

        var keyCount = Math.Max(3, Math.Max(layout.ReadKeyNo, layout.WriteKeyNo) + 1);
        var cardKeys = Enumerable.Range(0, keyCount).Select(_ => DesfireKey.Aes(RandomNumberGenerator.GetBytes(16))).ToList();
        cardKeys[0] = DesfireKey.Aes(CardKey(keys.ApplicationMasterKey));
        cardKeys[layout.ReadKeyNo] = DesfireKey.Aes(CardKey(keys.ReadKey));
        cardKeys[layout.WriteKeyNo] = DesfireKey.Aes(CardKey(keys.WriteKey));

        var file = new DesfireStandardFile(
            layout.FileNo,
            DesfireCommMode.Enciphered,
            new DesfireAccessRights(layout.ReadKeyNo, layout.WriteKeyNo, DesfireAccessRights.Never, 0),
            record.Length);
        record.CopyTo(file.Data, 0);
        var application = new DesfireApplication(layout.Aid, cardKeys, layout.KeySettings).WithFile(file);
        return new VirtualDesfireCard(uid, random: random) { LeavesAtRead = fault == ZdcFault.RemovedMidRead }.WithApplication(application);
    }

    /// <summary>A MIFARE Ultralight C carrying <paramref name="zdc"/> (cards.md §5), its key diversified from
    /// <paramref name="masterKey"/>; see <see cref="UltralightC.IzlyUltralightCCards"/> for the faults.</summary>
    public static UltralightC.VirtualUltralightCCard UltralightCFromZdc(ZdcDescription zdc, byte[] uid, byte[] masterKey) =>
        UltralightC.IzlyUltralightCCards.FromZdc(zdc, uid, masterKey);

    /// <summary>A MIFARE Classic 1K or 4K card carrying <paramref name="zdc"/> in the layout of cards.md §4 (see
    /// <see cref="Classic.IzlyClassicCards.FromZdc"/>).</summary>
    public static Classic.VirtualClassicCard FromZdc(ZdcDescription zdc, byte[] uid, byte[] classicMasterKey, Classic.ClassicCardSize size, Classic.ClassicCardFaults? faults = null) =>
        Classic.IzlyClassicCards.FromZdc(zdc, uid, classicMasterKey, size, faults);

    /// <summary>A DESFire EV1 card with one unrelated application (AID <c>000001</c>, AES keys, a plain file) and no
    /// Izly application: a reader must say "not an Izly card".</summary>
    public static VirtualDesfireCard WithoutIzlyApplication(byte[] uid)
    {
        var other = new DesfireApplication(0x000001, [DesfireKey.Aes(new byte[16])])
            .WithFile(new DesfireStandardFile(0, DesfireCommMode.Plain, new DesfireAccessRights(DesfireAccessRights.Free, 0, 0, 0), 32));
        return new VirtualDesfireCard(uid).WithApplication(other);
    }

    /// <summary>A Calypso card carrying <paramref name="zdc"/> in record 1 of SFI 0x1A, read without a SAM (cards.md §6).</summary>
    public static VirtualCalypsoCard Calypso(ZdcDescription zdc, CalypsoCardRevision revision = CalypsoCardRevision.Rev3, CalypsoCardFault fault = CalypsoCardFault.None)
    {
        ArgumentNullException.ThrowIfNull(zdc);
        return new VirtualCalypsoCard(zdc.Encode(), revision, fault);
    }
}
