using System.Security.Cryptography;
using Middleware.Cards.Crypto;

namespace Middleware.Cards.Tests.Desfire;

/// <summary>
/// A small card-side DESFire EV1 simulation for unit tests, written from cards.md §3 apart from the reader code (it shares
/// only the primitives tested against published vectors: AES, CMAC, CRC32). AES keys only; ReadData on standard files.
/// </summary>
internal sealed class SimulatedDesfireCard
{
    private readonly Queue<byte[]> _pendingFrames = new();
    private SimulatedApplication? _selected;
    private byte[]? _authKey;
    private byte[]? _rndB;
    private byte[]? _authIv;
    private byte _authKeyNumber;
    private byte[]? _sessionKey;
    private byte[] _iv = new byte[16];

    public SimulatedDesfireCard(byte[] uid) => Uid = uid;

    public byte[] Uid { get; }

    public Dictionary<uint, SimulatedApplication> Applications { get; } = [];

    /// <summary>Whether the reader answers GET DATA (FF CA) with the UID; otherwise 6A 81 and GetVersion must be used.</summary>
    public bool AnswersGetData { get; set; } = true;

    /// <summary>Largest data part of one answer frame (DESFire: 59); longer answers go in 91 AF frames.</summary>
    public int FrameSize { get; set; } = 59;

    /// <summary>Changes the enciphered ReadData answer before it is sent (to simulate corruption).</summary>
    public Action<byte[]>? TamperReadAnswer { get; set; }

    /// <summary>A status the card answers to ReadData instead of data.</summary>
    public byte? ForcedReadStatus { get; set; }

    /// <summary>A fake card: accepts any reader answer in the authentication and answers a random proof.</summary>
    public bool Counterfeit { get; set; }

    public List<string> Log { get; } = [];

    public byte[] Atr { get; } = Convert.FromHexString("3B8180018080");

    public byte[] Process(byte[] apdu)
    {
        if (apdu is [0xFF, 0xCA, 0x00, 0x00, 0x00])
        {
            Log.Add("GET DATA");
            return AnswersGetData ? [.. Uid, 0x90, 0x00] : [0x6A, 0x81];
        }

        if (apdu.Length < 5 || apdu[0] != 0x90)
        {
            return [0x6E, 0x00];
        }

        var ins = apdu[1];
        var data = apdu.Length > 5 ? apdu.AsSpan(5, apdu[4]).ToArray() : [];
        Log.Add($"{ins:X2}");
        if (ins == 0xAF && _pendingFrames.Count > 0)
        {
            return NextFrame();
        }

        _pendingFrames.Clear();
        return ins switch
        {
            0x60 => GetVersion(),
            0x5A => Select(data),
            0xAA => AuthenticateFirst(data),
            0xAF when _rndB is not null => AuthenticateSecond(data),
            0xBD => ReadData(data),
            _ => Status(0x1C),
        };
    }

    private byte[] GetVersion()
    {
        _pendingFrames.Enqueue([.. Convert.FromHexString("04010201001605"), 0x91, 0xAF]);
        _pendingFrames.Enqueue([.. Uid, .. Convert.FromHexString("BA5EBA11CAFE0122"), 0x91, 0x00]);
        return [.. Convert.FromHexString("04010101001605"), 0x91, 0xAF];
    }

    private byte[] Select(byte[] data)
    {
        ResetAuthentication();
        if (data.Length != 3)
        {
            return Status(0x7E);
        }

        var aid = (uint)(data[0] | (data[1] << 8) | (data[2] << 16));
        if (!Applications.TryGetValue(aid, out var app))
        {
            _selected = null;
            return Status(0xA0);
        }

        _selected = app;
        return Status(0x00);
    }

    private byte[] AuthenticateFirst(byte[] data)
    {
        ResetAuthentication();
        if (data.Length != 1)
        {
            return Status(0x7E);
        }

        if (_selected is null || data[0] >= _selected.Keys.Length)
        {
            return Status(0x40);
        }

        _authKeyNumber = data[0];
        _authKey = _selected.Keys[data[0]];
        _rndB = RandomNumberGenerator.GetBytes(16);
        using var aes = BlockCipher.Aes(_authKey);
        var iv = new byte[16];
        var challenge = new byte[16];
        aes.EncryptCbc(_rndB, iv, challenge);
        _authIv = iv;
        return [.. challenge, 0x91, 0xAF];
    }

    private byte[] AuthenticateSecond(byte[] data)
    {
        var rndB = _rndB!;
        var key = _authKey!;
        var iv = _authIv!;
        _rndB = null;
        if (data.Length != 32)
        {
            return Status(0x7E);
        }

        using var aes = BlockCipher.Aes(key);
        var plain = new byte[32];
        aes.DecryptCbc(data, iv, plain);
        var rndA = plain[..16];
        byte[] rotatedB = [.. rndB[1..], rndB[0]];
        if (!Counterfeit && !plain.AsSpan(16).SequenceEqual(rotatedB))
        {
            return Status(0xAE);
        }

        byte[] rotatedA = [.. rndA[1..], rndA[0]];
        var proof = new byte[16];
        if (Counterfeit)
        {
            RandomNumberGenerator.Fill(proof);
        }
        else
        {
            aes.EncryptCbc(rotatedA, iv, proof);
        }

        _sessionKey = [.. rndA[..4], .. rndB[..4], .. rndA[12..16], .. rndB[12..16]];
        _iv = new byte[16];
        return [.. proof, 0x91, 0x00];
    }

    private byte[] ReadData(byte[] data)
    {
        if (data.Length != 7)
        {
            return Status(0x7E);
        }

        if (_selected is null)
        {
            return Status(0xA0);
        }

        if (!_selected.Files.TryGetValue(data[0], out var file))
        {
            return Status(0xF0);
        }

        if (_sessionKey is null || _authKeyNumber != file.ReadKey)
        {
            ResetAuthentication();
            return Status(0x9D);
        }

        using var aes = BlockCipher.Aes(_sessionKey);

        // Every command updates the IV with its CMAC (cards.md §3 step 4).
        var mac = new byte[16];
        Cmac.Compute(aes, _iv, [0xBD, .. data], mac);
        _iv = mac;

        if (ForcedReadStatus is { } forced)
        {
            ResetAuthentication();
            return Status(forced);
        }

        var offset = data[1] | (data[2] << 8) | (data[3] << 16);
        var length = data[4] | (data[5] << 8) | (data[6] << 16);
        if (length == 0)
        {
            length = file.Data.Length - offset;
        }

        if (offset + length > file.Data.Length)
        {
            ResetAuthentication();
            return Status(0xBE);
        }

        var content = file.Data.AsSpan(offset, length).ToArray();
        var crc = DesfireCrc32.Update(DesfireCrc32.Compute(content), [0x00]);
        var plainLength = (content.Length + 4 + 15) / 16 * 16;
        var plain = new byte[plainLength];
        content.CopyTo(plain, 0);
        DesfireCrc32.Write(crc, plain.AsSpan(content.Length));
        var cipher = new byte[plainLength];
        aes.EncryptCbc(plain, _iv, cipher);
        TamperReadAnswer?.Invoke(cipher);

        for (var i = FrameSize; i < cipher.Length; i += FrameSize)
        {
            var end = Math.Min(i + FrameSize, cipher.Length);
            _pendingFrames.Enqueue([.. cipher[i..end], 0x91, end == cipher.Length ? (byte)0x00 : (byte)0xAF]);
        }

        var firstEnd = Math.Min(FrameSize, cipher.Length);
        return [.. cipher[..firstEnd], 0x91, firstEnd == cipher.Length ? (byte)0x00 : (byte)0xAF];
    }

    private byte[] NextFrame() => _pendingFrames.Dequeue();

    private void ResetAuthentication()
    {
        _sessionKey = null;
        _rndB = null;
        _authKey = null;
    }

    private static byte[] Status(byte sw2) => [0x91, sw2];
}

internal sealed class SimulatedApplication
{
    public SimulatedApplication(params byte[][] keys) => Keys = keys;

    public byte[][] Keys { get; }

    public Dictionary<byte, SimulatedFile> Files { get; } = [];
}

internal sealed record SimulatedFile(byte[] Data, byte ReadKey);
