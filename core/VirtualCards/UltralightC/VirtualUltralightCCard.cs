using System.Security.Cryptography;
using Middleware.VirtualCards.Crypto;

namespace Middleware.VirtualCards.UltralightC;

/// <summary>
/// A MIFARE Ultralight C behind a PC/SC reader with a PC/SC 2.02 Part 3 transparent session (cards.md §5): GET DATA
/// gives the UID; <c>FF C2</c> starts, carries and ends the session, answering TLVs <c>C0</c> (status) and <c>97</c>
/// (the card's answer), with ACS-like <c>92</c>/<c>96</c> objects when <see cref="AddAcsObjects"/>; natively the card
/// runs the 2K3DES <c>1A</c>/<c>AF</c> authentication and <c>30</c> page reads, with AUTH0 = 4 and reads protected.
/// </summary>
public sealed class VirtualUltralightCCard : IVirtualCard, ILeavingCard
{
    /// <summary>Pages of an Ultralight C (48 × 4 bytes).</summary>
    public const int Pages = 48;

    /// <summary>The first protected page (AUTH0).</summary>
    public const int Auth0 = 4;

    private static readonly byte[] Ok = [0x90, 0x00];
    private readonly byte[] _uid;
    private readonly byte[] _key;
    private readonly byte[] _memory = new byte[Pages * 4];
    private readonly UltralightCFault _fault;
    private readonly Func<int, byte[]> _random;
    private bool _session;
    private bool _authenticated;
    private byte[]? _rndB;
    private byte[]? _iv;

    /// <summary>Creates the card.</summary>
    /// <param name="uid">The 7-byte UID.</param>
    /// <param name="key">The card's own 16-byte 2K3DES key (already diversified).</param>
    /// <param name="userData">Written from page 4 on.</param>
    /// <param name="fault">What the card does wrong.</param>
    /// <param name="random">Random source for RndB; cryptographic by default (a benchmark fixes it to replay a recorded
    /// authentication).</param>
    public VirtualUltralightCCard(byte[] uid, byte[] key, byte[] userData, UltralightCFault fault = UltralightCFault.None, Func<int, byte[]>? random = null)
    {
        ArgumentNullException.ThrowIfNull(uid);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(userData);
        if (uid.Length != 7 || key.Length != 16 || userData.Length > (Pages - Auth0) * 4)
        {
            throw new ArgumentException("An Ultralight C has a 7-byte UID, a 16-byte key and 176 bytes of user memory.");
        }

        _uid = [.. uid];
        _key = fault == UltralightCFault.WrongKey ? RandomNumberGenerator.GetBytes(16) : [.. key];
        uid.CopyTo(_memory, 0);
        userData.CopyTo(_memory, Auth0 * 4);
        var atr = new byte[] { 0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x3A, 0x00, 0x00, 0x00, 0x00, 0x00 };
        for (var i = 1; i < 19; i++)
        {
            atr[19] ^= atr[i];
        }

        Atr = atr;
        _fault = fault;
        _random = random ?? RandomNumberGenerator.GetBytes;
    }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Atr { get; }

    /// <summary>Add ACS's extra objects (<c>92</c>, <c>96</c>) to every session answer, which readers must ignore.</summary>
    public bool AddAcsObjects { get; init; }

    /// <summary>How many native frames the card received (for tests: one session carries them all).</summary>
    public int NativeFrames { get; private set; }

    /// <summary>How many transparent sessions were started.</summary>
    public int SessionsStarted { get; private set; }

    /// <summary>True before the first native READ (<c>FF C2 00 01 .. 95 02 30 page</c>) when the fault is
    /// <see cref="UltralightCFault.RemovedMidRead"/>.</summary>
    public bool LeavesFieldBefore(ReadOnlySpan<byte> apdu) =>
        _fault == UltralightCFault.RemovedMidRead && apdu.Length == 9 && apdu[0] == 0xFF && apdu[1] == 0xC2 && apdu[5] == 0x95 && apdu[7] == 0x30;

    /// <summary>True when <paramref name="apdu"/> is a transparent-session READ of <paramref name="page"/> (for a vpcd
    /// slot's <c>DropBeforeAnswer</c>: the card leaves mid-read).</summary>
    public static bool IsReadOf(ReadOnlySpan<byte> apdu, byte page) =>
        apdu.Length == 9 && apdu[0] == 0xFF && apdu[1] == 0xC2 && apdu[3] == 0x01 && apdu[5] == 0x95 && apdu[7] == 0x30 && apdu[8] == page;

    /// <inheritdoc />
    public void PowerOn() => EndSession();

    /// <inheritdoc />
    public void PowerOff() => EndSession();

    /// <inheritdoc />
    public void Reset() => EndSession();

    /// <inheritdoc />
    public byte[] Transmit(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length >= 5 && apdu[0] == 0xFF && apdu[1] == 0xCA && apdu[2] == 0x00 && apdu[3] == 0x00)
        {
            return [.. _uid, .. Ok];
        }

        if (apdu.Length < 5 || apdu[0] != 0xFF || apdu[1] != 0xC2 || apdu[2] != 0x00 || apdu[4] != apdu.Length - 5)
        {
            return [0x6E, 0x00];
        }

        var body = apdu[5..];
        if (apdu[3] == 0x00 && body.SequenceEqual(new byte[] { 0x81, 0x00 }))
        {
            EndSession();
            _session = true;
            SessionsStarted++;
            return Answer(null);
        }

        if (apdu[3] == 0x00 && body.SequenceEqual(new byte[] { 0x82, 0x00 }))
        {
            EndSession();
            return Answer(null);
        }

        if (apdu[3] != 0x01 || !_session || body.Length < 2 || body[0] != 0x95 || body[1] != body.Length - 2)
        {
            return [0x6A, 0x81];
        }

        NativeFrames++;
        return Answer(Native(body[2..]));
    }

    private byte[] Native(ReadOnlySpan<byte> frame)
    {
        if (frame.Length == 2 && frame[0] == 0x1A && frame[1] == 0x00)
        {
            _authenticated = false;
            _rndB = _random(8);
            _iv = new byte[8];
            return [0xAF, .. Cipher().EncryptCbc(_rndB, _iv)];
        }

        if (frame.Length == 17 && frame[0] == 0xAF && _rndB is { } rndB && _iv is { } iv)
        {
            _rndB = null;
            var plain = Cipher().DecryptCbc(frame[1..], iv);
            var rndA = plain[..8];
            if (_fault != UltralightCFault.WrongProof && !plain.AsSpan(8).SequenceEqual(RotateLeft(rndB)))
            {
                return [0x00];
            }

            if (_fault == UltralightCFault.WrongProof)
            {
                rndA[0] ^= 0x01;
            }

            _authenticated = true;
            return [0x00, .. Cipher().EncryptCbc(RotateLeft(rndA), iv)];
        }

        if (frame.Length == 2 && frame[0] == 0x30)
        {
            var page = frame[1];
            if (page >= Pages || (page >= Auth0 && !_authenticated) || (page == 8 && _fault == UltralightCFault.NakOnRead))
            {
                return [0x00];
            }

            // Reads wrap around the end of memory, as on the chip.
            var data = new byte[16];
            for (var i = 0; i < 16; i++)
            {
                data[i] = _memory[((page * 4) + i) % _memory.Length];
            }

            return data;
        }

        // Anything else: NAK invalid argument, and the authentication is lost.
        _authenticated = false;
        return [0x00];
    }

    private byte[] Answer(byte[]? card)
    {
        List<byte> tlv = [0xC0, 0x03, 0x00, 0x90, 0x00];
        if (AddAcsObjects)
        {
            tlv.AddRange([0x92, 0x01, 0x00, 0x96, 0x02, 0x00, 0x00]);
        }

        if (card is not null)
        {
            tlv.AddRange([0x97, (byte)card.Length, .. card]);
        }

        tlv.AddRange(Ok);
        return [.. tlv];
    }

    private TripleDesCardCipher Cipher() => new(_key);

    private static byte[] RotateLeft(ReadOnlySpan<byte> value) => [.. value[1..], value[0]];

    private void EndSession()
    {
        _session = false;
        _authenticated = false;
        _rndB = null;
        _iv = null;
    }
}
