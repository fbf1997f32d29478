using System.Buffers.Binary;
using System.Security.Cryptography;
using Middleware.VirtualCards.Crypto;

namespace Middleware.VirtualCards.Desfire;

/// <summary>
/// A MIFARE DESFire EV1 card emulated in C#, written independently of the project's reader: ISO 7816-4 wrapped
/// native commands (<c>90 INS 00 00 Lc data 00</c> → <c>data 91 SW2</c>), the reader's <c>FF CA</c> GET DATA,
/// GetVersion, application and standard data file management, legacy <c>0A</c> (DES/2K3DES, D40 messaging),
/// ISO <c>1A</c> (DES/2K3DES/3K3DES) and AES <c>AA</c> authentication with EV1 CMAC secure messaging, plain, MACed
/// and enciphered files, <c>91 AF</c> chaining, ChangeKey. Thread-safe (one lock).
/// </summary>
public sealed class VirtualDesfireCard : IVirtualCard, ILeavingCard
{
    /// <summary>Largest data part of one answer frame, as a DESFire EV1 sends it.</summary>
    internal const int MaxFrameData = 59;

    private static readonly byte[] DefaultAtr = [0x3B, 0x81, 0x80, 0x01, 0x80, 0x80];

    private readonly Lock _gate = new();
    private readonly byte[] _uid;
    private readonly Func<int, byte[]> _random;
    private DesfireKey _piccKey;
    private byte _piccKeySettings;

    private DesfireApplication? _selected;
    private SessionKind _session;
    private CardCipher? _sessionCipher;
    private byte[] _iv = [];
    private int _authKeyNo = -1;

    private Func<byte[], byte[]>? _continuation;
    private Queue<byte[]>? _pendingFrames;

    /// <summary>Creates a blank card (PICC master key <paramref name="piccMasterKey"/>, factory DES zero key by default).</summary>
    /// <param name="uid">The 7-byte UID.</param>
    /// <param name="piccMasterKey">The PICC master key.</param>
    /// <param name="piccKeySettings">PICC key settings (0x0F: free listing and free application creation).</param>
    /// <param name="random">Random source for RndB (tests may fix it); cryptographic by default.</param>
    public VirtualDesfireCard(byte[] uid, DesfireKey? piccMasterKey = null, byte piccKeySettings = 0x0F, Func<int, byte[]>? random = null)
    {
        if (uid.Length != 7)
        {
            throw new ArgumentException("A DESFire EV1 UID has 7 bytes.", nameof(uid));
        }

        _uid = [.. uid];
        _piccKey = piccMasterKey ?? DesfireKey.FactoryDefault;
        _piccKeySettings = piccKeySettings;
        _random = random ?? RandomNumberGenerator.GetBytes;
    }

    private enum SessionKind
    {
        None,
        Legacy,
        Ev1,
    }

    private enum Answer
    {
        Plain,
        Mac,
        Enciphered,
        NoMac,
    }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Atr => DefaultAtr;

    /// <summary>The UID.</summary>
    public ReadOnlyMemory<byte> Uid => _uid;

    /// <summary>The applications on the card, by AID (configure them before inserting the card).</summary>
    public SortedDictionary<uint, DesfireApplication> Applications { get; } = [];

    /// <summary>How many commands the card processed (diagnostics for tests).</summary>
    public int CommandCount { get; private set; }

    /// <summary>Adds an application (fluent).</summary>
    public VirtualDesfireCard WithApplication(DesfireApplication application)
    {
        lock (_gate)
        {
            Applications.Add(application.Aid, application);
        }

        return this;
    }

    /// <inheritdoc />
    public void PowerOn() => ResetState();

    /// <inheritdoc />
    public void PowerOff() => ResetState();

    /// <inheritdoc />
    public void Reset() => ResetState();

    /// <summary>The card leaves the field when a ReadData (<c>90 BD</c>) arrives: removal between authentication and read.</summary>
    public bool LeavesAtRead { get; set; }

    /// <inheritdoc />
    public bool LeavesFieldBefore(ReadOnlySpan<byte> apdu) => LeavesAtRead && apdu.Length >= 2 && apdu[0] == 0x90 && apdu[1] == 0xBD;

    /// <inheritdoc />
    public byte[] Transmit(ReadOnlySpan<byte> apdu)
    {
        lock (_gate)
        {
            CommandCount++;
            if (apdu.Length < 4)
            {
                return [0x67, 0x00];
            }

            var (cla, ins, p1, p2) = (apdu[0], apdu[1], apdu[2], apdu[3]);
            if (cla == 0xFF && ins == 0xCA)
            {
                return GetData(p1, apdu);
            }

            if (cla == 0x00 && ins == 0xA4)
            {
                return [0x6A, 0x82]; // no ISO DF names registered on this card
            }

            if (cla != 0x90)
            {
                return [0x6E, 0x00];
            }

            if (p1 != 0 || p2 != 0)
            {
                return [0x6A, 0x86];
            }

            byte[] data;
            if (apdu.Length <= 5)
            {
                data = [];
            }
            else
            {
                var lc = apdu[4];
                var rest = apdu.Length - 5 - lc;
                if (lc == 0 || rest is not (0 or 1))
                {
                    return [0x67, 0x00];
                }

                data = apdu.Slice(5, lc).ToArray();
            }

            return Native(ins, data);
        }
    }

    private byte[] GetData(byte p1, ReadOnlySpan<byte> apdu)
    {
        if (p1 != 0x00)
        {
            return [0x6A, 0x81];
        }

        var le = apdu.Length >= 5 ? apdu[4] : 0;
        if (le != 0 && le < _uid.Length)
        {
            return [0x6C, (byte)_uid.Length];
        }

        return [.. _uid, 0x90, 0x00];
    }

    private void ResetState()
    {
        lock (_gate)
        {
            _selected = null;
            ClearSession();
            _continuation = null;
            _pendingFrames = null;
        }
    }

    private void ClearSession()
    {
        _session = SessionKind.None;
        _sessionCipher = null;
        _iv = [];
        _authKeyNo = -1;
    }

    // ---- native command dispatch ----

    private byte[] Native(byte ins, byte[] data)
    {
        if (ins == DesfireStatus.AdditionalFrame)
        {
            if (_pendingFrames is { Count: > 0 } frames)
            {
                return NextFrame(frames);
            }

            if (_continuation is { } continuation)
            {
                _continuation = null;
                return continuation(data);
            }

            return Error(DesfireStatus.IllegalCommand);
        }

        // A new command aborts any chaining in progress.
        _pendingFrames = null;
        _continuation = null;

        return ins switch
        {
            0x0A => Authenticate(ins, data),
            0x1A => Authenticate(ins, data),
            0xAA => Authenticate(ins, data),
            0x60 => GetVersion(data),
            0x5A => SelectApplication(data),
            0x6A => GetApplicationIds(data),
            0xCA => CreateApplication(data),
            0xDA => DeleteApplication(data),
            0xCD => CreateStdDataFile(data),
            0x6F => GetFileIds(data),
            0xF5 => GetFileSettings(data),
            0x45 => GetKeySettings(data),
            0x64 => GetKeyVersion(data),
            0xBD => ReadData(data),
            0x3D => WriteData(data),
            0xC4 => ChangeKey(data),
            _ => Error(DesfireStatus.IllegalCommand),
        };
    }

    private byte[] Error(byte status)
    {
        // Every error ends the authentication on a real card.
        ClearSession();
        _pendingFrames = null;
        _continuation = null;
        return [0x91, status];
    }

    /// <summary>Updates the EV1 IV with the CMAC of a plain command (no-op outside an EV1 session).</summary>
    private void PlainCommand(byte ins, ReadOnlySpan<byte> data)
    {
        if (_session == SessionKind.Ev1)
        {
            _iv = CardMac.Cmac(_sessionCipher!, _iv, [ins, .. data]);
        }
    }

    /// <summary>Builds a successful answer according to the session and <paramref name="mode"/>, split into frames.</summary>
    private byte[] Success(byte[] data, Answer mode)
    {
        byte[] payload;
        if (_session == SessionKind.Ev1 && mode != Answer.NoMac)
        {
            if (mode == Answer.Enciphered)
            {
                var crc = CardMac.Crc32([.. data, DesfireStatus.Ok]);
                payload = _sessionCipher!.EncryptCbc(Pad([.. data, .. crc], _sessionCipher.BlockSize), _iv);
            }
            else
            {
                _iv = CardMac.Cmac(_sessionCipher!, _iv, [.. data, DesfireStatus.Ok]);
                payload = [.. data, .. _iv.AsSpan(0, 8)];
            }
        }
        else if (_session == SessionKind.Legacy && mode == Answer.Enciphered)
        {
            var crc = CardMac.Crc16(data);
            payload = _sessionCipher!.EncryptCbc(Pad([.. data, .. crc], 8), new byte[8]);
        }
        else if (_session == SessionKind.Legacy && mode == Answer.Mac)
        {
            payload = [.. data, .. CardMac.LegacyMac(_sessionCipher!, data)];
        }
        else
        {
            payload = data;
        }

        if (payload.Length <= MaxFrameData)
        {
            return [.. payload, 0x91, DesfireStatus.Ok];
        }

        var frames = new Queue<byte[]>(payload.Chunk(MaxFrameData));
        return NextFrame(frames);
    }

    private byte[] NextFrame(Queue<byte[]> frames)
    {
        var frame = frames.Dequeue();
        if (frames.Count == 0)
        {
            _pendingFrames = null;
            return [.. frame, 0x91, DesfireStatus.Ok];
        }

        _pendingFrames = frames;
        return [.. frame, 0x91, DesfireStatus.AdditionalFrame];
    }

    private static byte[] Pad(byte[] data, int blockSize)
    {
        var length = data.Length % blockSize == 0 ? data.Length : ((data.Length / blockSize) + 1) * blockSize;
        var padded = new byte[length];
        data.CopyTo(padded, 0);
        return padded;
    }

    // ---- authentication ----

    private DesfireKey? KeyAt(int keyNo) => _selected is null
        ? (keyNo == 0 ? _piccKey : null)
        : (keyNo < _selected.Keys.Count ? _selected.Keys[keyNo] : null);

    private byte[] Authenticate(byte ins, byte[] data)
    {
        ClearSession();
        if (data.Length != 1)
        {
            return Error(DesfireStatus.LengthError);
        }

        var keyNo = data[0];
        var key = KeyAt(keyNo);
        if (key is null)
        {
            return Error(DesfireStatus.NoSuchKey);
        }

        var allowed = ins switch
        {
            0xAA => key.Type == DesfireKeyType.Aes,
            0x1A => key.Type is DesfireKeyType.Des or DesfireKeyType.TwoKey3Des or DesfireKeyType.ThreeKey3Des,
            _ => key.Type is DesfireKeyType.Des or DesfireKeyType.TwoKey3Des,
        };
        if (!allowed)
        {
            return Error(DesfireStatus.AuthenticationError);
        }

        var keyBytes = key.IsSingleDes ? key.Value.AsSpan(0, 8).ToArray() : key.Value;
        var cipher = CardCipher.Create(key.Type, keyBytes);
        var randomLength = key.Type is DesfireKeyType.Aes or DesfireKeyType.ThreeKey3Des ? 16 : 8;
        var rndB = _random(randomLength);
        var iv = new byte[cipher.BlockSize];
        var encryptedRndB = cipher.EncryptCbc(rndB, iv); // iv now holds the last block sent (ignored in legacy)

        _continuation = answer =>
        {
            if (answer.Length != 2 * randomLength)
            {
                return Error(DesfireStatus.LengthError);
            }

            var plain = ins == 0x0A ? cipher.UndoLegacySendMode(answer) : cipher.DecryptCbc(answer, iv);
            var rndA = plain.AsSpan(0, randomLength).ToArray();
            if (!plain.AsSpan(randomLength).SequenceEqual(RotateLeft(rndB)))
            {
                return Error(DesfireStatus.AuthenticationError);
            }

            var proof = ins == 0x0A
                ? cipher.EncryptCbc(RotateLeft(rndA), new byte[cipher.BlockSize])
                : cipher.EncryptCbc(RotateLeft(rndA), iv);
            var sessionKey = SessionKey(key, rndA, rndB);
            _session = ins == 0x0A ? SessionKind.Legacy : SessionKind.Ev1;
            _sessionCipher = CardCipher.Create(key.Type, sessionKey);
            _iv = new byte[_sessionCipher.BlockSize];
            _authKeyNo = keyNo;
            return [.. proof, 0x91, DesfireStatus.Ok];
        };

        return [.. encryptedRndB, 0x91, DesfireStatus.AdditionalFrame];
    }

    private static byte[] SessionKey(DesfireKey key, byte[] a, byte[] b)
    {
        if (key.Type == DesfireKeyType.Aes)
        {
            return [.. a[..4], .. b[..4], .. a[12..16], .. b[12..16]];
        }

        if (key.Type == DesfireKeyType.ThreeKey3Des)
        {
            return [.. a[..4], .. b[..4], .. a[6..10], .. b[6..10], .. a[12..16], .. b[12..16]];
        }

        if (key.IsSingleDes)
        {
            return [.. a[..4], .. b[..4]];
        }

        return [.. a[..4], .. b[..4], .. a[4..8], .. b[4..8]];
    }

    private static byte[] RotateLeft(ReadOnlySpan<byte> value) => [.. value[1..], value[0]];

    // ---- card and application management ----

    private byte[] GetVersion(byte[] data)
    {
        if (data.Length != 0)
        {
            return Error(DesfireStatus.LengthError);
        }

        PlainCommand(0x60, data);
        byte[] hardware = [0x04, 0x01, 0x01, 0x01, 0x00, 0x18, 0x05];
        byte[] software = [0x04, 0x01, 0x01, 0x01, 0x04, 0x18, 0x05];
        byte[] production = [.. _uid, 0xBA, 0x5E, 0xBA, 0x11, 0x00, 0x24, 0x24];
        byte[] all = [.. hardware, .. software, .. production];

        // The answer's MAC (EV1 session) covers the three frames and sits at the end of the last one.
        var tail = Success(all, Answer.Plain);
        var lastPart = tail[..^2][(hardware.Length + software.Length)..];
        _pendingFrames = new Queue<byte[]>([software, lastPart]);
        return [.. hardware, 0x91, DesfireStatus.AdditionalFrame];
    }

    private byte[] SelectApplication(byte[] data)
    {
        if (data.Length != 3)
        {
            return Error(DesfireStatus.LengthError);
        }

        var aid = ReadUInt24(data);
        ClearSession();
        if (aid == 0)
        {
            _selected = null;
            return [0x91, DesfireStatus.Ok];
        }

        if (!Applications.TryGetValue(aid, out var application))
        {
            _selected = null;
            return Error(DesfireStatus.ApplicationNotFound);
        }

        _selected = application;
        return [0x91, DesfireStatus.Ok];
    }

    private byte[] GetApplicationIds(byte[] data)
    {
        if (data.Length != 0)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is not null)
        {
            return Error(DesfireStatus.PermissionDenied);
        }

        if ((_piccKeySettings & 0x02) == 0 && !(_session != SessionKind.None && _authKeyNo == 0))
        {
            return Error(DesfireStatus.AuthenticationError);
        }

        PlainCommand(0x6A, data);
        var ids = Applications.Keys.SelectMany(aid => new[] { (byte)aid, (byte)(aid >> 8), (byte)(aid >> 16) }).ToArray();
        return Success(ids, Answer.Plain);
    }

    private byte[] CreateApplication(byte[] data)
    {
        if (data.Length != 5)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is not null)
        {
            return Error(DesfireStatus.PermissionDenied);
        }

        if ((_piccKeySettings & 0x04) == 0 && !(_session != SessionKind.None && _authKeyNo == 0))
        {
            return Error(DesfireStatus.AuthenticationError);
        }

        var aid = ReadUInt24(data);
        var settings = data[3];
        var keyCount = data[4] & 0x0F;
        var type = (data[4] & 0xC0) switch
        {
            0x00 => DesfireKeyType.Des,
            0x40 => DesfireKeyType.ThreeKey3Des,
            0x80 => DesfireKeyType.Aes,
            _ => (DesfireKeyType?)null,
        };
        if (aid == 0 || keyCount is < 1 or > 14 || type is null)
        {
            return Error(DesfireStatus.ParameterError);
        }

        if (Applications.ContainsKey(aid))
        {
            return Error(DesfireStatus.DuplicateError);
        }

        PlainCommand(0xCA, data);
        var keyLength = type == DesfireKeyType.ThreeKey3Des ? 24 : 16;
        var keys = Enumerable.Range(0, keyCount).Select(_ => new DesfireKey(type.Value, new byte[keyLength])).ToList();
        Applications.Add(aid, new DesfireApplication(aid, keys, settings));
        return Success([], Answer.Plain);
    }

    private byte[] DeleteApplication(byte[] data)
    {
        if (data.Length != 3)
        {
            return Error(DesfireStatus.LengthError);
        }

        var aid = ReadUInt24(data);
        var authorised = _session != SessionKind.None && _authKeyNo == 0 && (_selected is null || _selected.Aid == aid);
        if (!authorised && (_piccKeySettings & 0x04) == 0)
        {
            return Error(DesfireStatus.AuthenticationError);
        }

        if (!Applications.Remove(aid))
        {
            return Error(DesfireStatus.ApplicationNotFound);
        }

        PlainCommand(0xDA, data);
        if (_selected?.Aid == aid)
        {
            _selected = null;
            ClearSession();
            return [0x91, DesfireStatus.Ok];
        }

        return Success([], Answer.Plain);
    }

    private byte[] CreateStdDataFile(byte[] data)
    {
        if (data.Length != 7)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is null)
        {
            return Error(DesfireStatus.PermissionDenied);
        }

        if ((_selected.KeySettings & 0x04) == 0 && !(_session != SessionKind.None && _authKeyNo == 0))
        {
            return Error(DesfireStatus.AuthenticationError);
        }

        var fileNo = data[0];
        var comm = data[1] & 0x03;
        var size = (int)ReadUInt24(data.AsSpan(4));
        if (fileNo > 0x1F || comm == 0x02 || size == 0)
        {
            return Error(DesfireStatus.ParameterError);
        }

        if (_selected.Files.ContainsKey(fileNo))
        {
            return Error(DesfireStatus.DuplicateError);
        }

        PlainCommand(0xCD, data);
        var access = DesfireAccessRights.FromValue(BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2)));
        _selected.Files.Add(fileNo, new DesfireStandardFile(fileNo, (DesfireCommMode)comm, access, size));
        return Success([], Answer.Plain);
    }

    private byte[] GetFileIds(byte[] data)
    {
        if (data.Length != 0)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is null)
        {
            return Error(DesfireStatus.PermissionDenied);
        }

        if ((_selected.KeySettings & 0x02) == 0 && !(_session != SessionKind.None && _authKeyNo == 0))
        {
            return Error(DesfireStatus.AuthenticationError);
        }

        PlainCommand(0x6F, data);
        return Success([.. _selected.Files.Keys], Answer.Plain);
    }

    private byte[] GetFileSettings(byte[] data)
    {
        if (data.Length != 1)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is null || !_selected.Files.TryGetValue(data[0], out var file))
        {
            return Error(DesfireStatus.FileNotFound);
        }

        PlainCommand(0xF5, data);
        var access = file.Access.Value;
        byte[] settings = [0x00, (byte)file.CommMode, (byte)access, (byte)(access >> 8), (byte)file.Data.Length, (byte)(file.Data.Length >> 8), (byte)(file.Data.Length >> 16)];
        return Success(settings, Answer.Plain);
    }

    private byte[] GetKeySettings(byte[] data)
    {
        if (data.Length != 0)
        {
            return Error(DesfireStatus.LengthError);
        }

        PlainCommand(0x45, data);
        return _selected is null
            ? Success([_piccKeySettings, (byte)(0x01 | PiccCryptoBits())], Answer.Plain)
            : Success([_selected.KeySettings, (byte)(_selected.Keys.Count | _selected.CryptoBits)], Answer.Plain);
    }

    private byte[] GetKeyVersion(byte[] data)
    {
        if (data.Length != 1)
        {
            return Error(DesfireStatus.LengthError);
        }

        var key = KeyAt(data[0] & 0x0F);
        if (key is null)
        {
            return Error(DesfireStatus.NoSuchKey);
        }

        PlainCommand(0x64, data);
        var version = key.Type == DesfireKeyType.Aes ? key.Version : (byte)(((key.Value[0] & 1) << 7) | ((key.Value[1] & 1) << 6) | ((key.Value[2] & 1) << 5)
            | ((key.Value[3] & 1) << 4) | ((key.Value[4] & 1) << 3) | ((key.Value[5] & 1) << 2) | ((key.Value[6] & 1) << 1) | (key.Value[7] & 1));
        return Success([version], Answer.Plain);
    }

    private byte PiccCryptoBits() => _piccKey.Type switch
    {
        DesfireKeyType.ThreeKey3Des => 0x40,
        DesfireKeyType.Aes => 0x80,
        _ => 0x00,
    };

    // ---- data ----

    /// <summary>Which communication applies to a file access with the current authentication, or an error status.</summary>
    private (byte Status, DesfireCommMode Mode) Access(DesfireStandardFile file, bool write)
    {
        var rights = file.Access;
        var primary = write ? rights.Write : rights.Read;
        if (primary == DesfireAccessRights.Free || rights.ReadWrite == DesfireAccessRights.Free)
        {
            // Free access: plain, unless the session's key also grants the right (then the file's mode applies).
            var authorisedKey = _session != SessionKind.None && (_authKeyNo == primary || _authKeyNo == rights.ReadWrite);
            return (DesfireStatus.Ok, authorisedKey ? file.CommMode : DesfireCommMode.Plain);
        }

        if (primary == DesfireAccessRights.Never && rights.ReadWrite == DesfireAccessRights.Never)
        {
            return (DesfireStatus.PermissionDenied, default);
        }

        if (_session == SessionKind.None || (_authKeyNo != primary && _authKeyNo != rights.ReadWrite))
        {
            return (DesfireStatus.AuthenticationError, default);
        }

        return (DesfireStatus.Ok, file.CommMode);
    }

    private byte[] ReadData(byte[] data)
    {
        if (data.Length != 7)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is null || !_selected.Files.TryGetValue(data[0], out var file))
        {
            return Error(DesfireStatus.FileNotFound);
        }

        var offset = (int)ReadUInt24(data.AsSpan(1));
        var length = (int)ReadUInt24(data.AsSpan(4));
        if (length == 0)
        {
            length = file.Data.Length - offset;
        }

        if (offset > file.Data.Length || length <= 0 || offset + length > file.Data.Length)
        {
            return Error(DesfireStatus.BoundaryError);
        }

        var (status, mode) = Access(file, write: false);
        if (status != DesfireStatus.Ok)
        {
            return Error(status);
        }

        PlainCommand(0xBD, data);
        var content = file.Data.AsSpan(offset, length).ToArray();
        return Success(content, mode switch
        {
            DesfireCommMode.Enciphered => Answer.Enciphered,
            DesfireCommMode.Mac => Answer.Mac,
            _ => Answer.Plain,
        });
    }

    private byte[] WriteData(byte[] data)
    {
        if (data.Length < 7)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_selected is null || !_selected.Files.TryGetValue(data[0], out var file))
        {
            return Error(DesfireStatus.FileNotFound);
        }

        var offset = (int)ReadUInt24(data.AsSpan(1));
        var length = (int)ReadUInt24(data.AsSpan(4));
        if (length == 0 || offset + length > file.Data.Length)
        {
            return Error(DesfireStatus.BoundaryError);
        }

        var (status, mode) = Access(file, write: true);
        if (status != DesfireStatus.Ok)
        {
            return Error(status);
        }

        var block = _sessionCipher?.BlockSize ?? 8;
        var expected = 7 + (mode, _session) switch
        {
            (DesfireCommMode.Enciphered, SessionKind.Ev1) => Pad(new byte[length + 4], block).Length,
            (DesfireCommMode.Enciphered, SessionKind.Legacy) => Pad(new byte[length + 2], block).Length,
            (DesfireCommMode.Mac, SessionKind.Ev1) => length + 8,
            (DesfireCommMode.Mac, SessionKind.Legacy) => length + 4,
            _ => length,
        };

        return CollectThen(data, expected, all => FinishWrite(file, all, offset, length, mode));
    }

    /// <summary>Collects a command sent over several frames (<c>91 AF</c> then <c>90 AF</c> with the rest).</summary>
    private byte[] CollectThen(byte[] received, int expected, Func<byte[], byte[]> complete)
    {
        if (received.Length > expected)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (received.Length == expected)
        {
            return complete(received);
        }

        _continuation = more => CollectThen([.. received, .. more], expected, complete);
        return [0x91, DesfireStatus.AdditionalFrame];
    }

    private byte[] FinishWrite(DesfireStandardFile file, byte[] all, int offset, int length, DesfireCommMode mode)
    {
        var header = all.AsSpan(0, 7);
        var body = all.AsSpan(7);
        byte[] content;
        switch (mode, _session)
        {
            case (DesfireCommMode.Enciphered, SessionKind.Ev1):
                {
                    var plain = _sessionCipher!.DecryptCbc(body, _iv);
                    content = plain[..length];
                    var crc = CardMac.Crc32([0x3D, .. header, .. content]);
                    if (!plain.AsSpan(length, 4).SequenceEqual(crc) || plain.AsSpan(length + 4).ContainsAnyExcept((byte)0))
                    {
                        return Error(DesfireStatus.IntegrityError);
                    }

                    break;
                }

            case (DesfireCommMode.Enciphered, SessionKind.Legacy):
                {
                    var plain = _sessionCipher!.UndoLegacySendMode(body);
                    content = plain[..length];
                    if (!plain.AsSpan(length, 2).SequenceEqual(CardMac.Crc16(content)) || plain.AsSpan(length + 2).ContainsAnyExcept((byte)0))
                    {
                        return Error(DesfireStatus.IntegrityError);
                    }

                    break;
                }

            case (DesfireCommMode.Mac, SessionKind.Ev1):
                {
                    content = body[..length].ToArray();
                    var mac = CardMac.Cmac(_sessionCipher!, _iv, [0x3D, .. header, .. content]);
                    if (!body[length..].SequenceEqual(mac.AsSpan(0, 8)))
                    {
                        return Error(DesfireStatus.IntegrityError);
                    }

                    _iv = mac;
                    break;
                }

            case (DesfireCommMode.Mac, SessionKind.Legacy):
                content = body[..length].ToArray();
                if (!body[length..].SequenceEqual(CardMac.LegacyMac(_sessionCipher!, content)))
                {
                    return Error(DesfireStatus.IntegrityError);
                }

                break;

            default:
                content = body.ToArray();
                PlainCommand(0x3D, all);
                break;
        }

        content.CopyTo(file.Data, offset);
        return Success([], Answer.Plain);
    }

    // ---- keys ----

    private byte[] ChangeKey(byte[] data)
    {
        if (data.Length < 2)
        {
            return Error(DesfireStatus.LengthError);
        }

        if (_session != SessionKind.Ev1)
        {
            // Legacy (D40) key changes are not part of this card's repertoire.
            return Error(_session == SessionKind.None ? DesfireStatus.AuthenticationError : DesfireStatus.IllegalCommand);
        }

        var keyNo = data[0] & 0x0F;
        var current = KeyAt(keyNo);
        if (current is null)
        {
            return Error(DesfireStatus.NoSuchKey);
        }

        var changeAccess = _selected is null ? 0 : _selected.KeySettings >> 4;
        var allowed = changeAccess switch
        {
            0x0F => keyNo == 0 && _authKeyNo == 0,
            0x0E => _authKeyNo == keyNo,
            _ => keyNo == 0 ? _authKeyNo == 0 : _authKeyNo == changeAccess,
        };
        if (!allowed)
        {
            return Error(keyNo == 0 || changeAccess != 0x0F ? DesfireStatus.AuthenticationError : DesfireStatus.PermissionDenied);
        }

        var newType = _selected is null
            ? (data[0] & 0xC0) switch { 0x40 => DesfireKeyType.ThreeKey3Des, 0x80 => DesfireKeyType.Aes, _ => DesfireKeyType.Des }
            : current.Type;
        var keyLength = newType == DesfireKeyType.ThreeKey3Des ? 24 : 16;
        var withVersion = newType == DesfireKeyType.Aes ? 1 : 0;
        var plain = _sessionCipher!.DecryptCbc(data.AsSpan(1), _iv);
        var sameKey = keyNo == _authKeyNo;
        var needed = keyLength + withVersion + 4 + (sameKey ? 0 : 4);
        if (plain.Length < needed)
        {
            return Error(DesfireStatus.LengthError);
        }

        var keyPart = plain.AsSpan(0, keyLength + withVersion).ToArray();
        if (!plain.AsSpan(keyLength + withVersion, 4).SequenceEqual(CardMac.Crc32([0xC4, data[0], .. keyPart])))
        {
            return Error(DesfireStatus.IntegrityError);
        }

        var newKey = keyPart[..keyLength];
        if (!sameKey)
        {
            var old = current.Value.Length == keyLength ? current.Value : [.. current.Value, .. new byte[keyLength - current.Value.Length]];
            for (var i = 0; i < keyLength; i++)
            {
                newKey[i] ^= old[i];
            }

            if (!plain.AsSpan(keyLength + withVersion + 4, 4).SequenceEqual(CardMac.Crc32(newKey)))
            {
                return Error(DesfireStatus.IntegrityError);
            }
        }

        var type = newType == DesfireKeyType.Des && !DesfireKey.SameIgnoringParity(newKey.AsSpan(0, 8), newKey.AsSpan(8, 8)) ? DesfireKeyType.TwoKey3Des : newType;
        var replacement = new DesfireKey(type, newKey, withVersion == 1 ? keyPart[keyLength] : (byte)0);
        if (_selected is null)
        {
            _piccKey = replacement;
        }
        else
        {
            _selected.Keys[keyNo] = replacement;
        }

        if (sameKey)
        {
            // Changing the key of the session ends the session: the answer carries no MAC.
            ClearSession();
            return [0x91, DesfireStatus.Ok];
        }

        return Success([], Answer.Plain);
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> bytes) => (uint)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16));
}
