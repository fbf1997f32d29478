using System.Security.Cryptography;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Crypto;

namespace Middleware.Cards.Tests.VirtualCards;

/// <summary>A minimal test-side DESFire reader driving a virtual card directly (no PC/SC): ISO wrapping, AF frames,
/// AES/ISO/legacy authentication and EV1 secure messaging, to check the card's side of each rule.</summary>
internal sealed class TestReader(IVirtualCard card)
{
    private CardCipher? _session;
    private byte[] _iv = [];

    public (byte[] Data, byte Status) Send(byte ins, params byte[] data)
    {
        byte[] apdu = data.Length == 0 ? [0x90, ins, 0, 0, 0] : [0x90, ins, 0, 0, (byte)data.Length, .. data, 0];
        var answer = card.Transmit(apdu);
        if (answer.Length < 2 || answer[^2] != 0x91)
        {
            throw new InvalidOperationException("Not a DESFire answer: " + Convert.ToHexString(answer));
        }

        return (answer[..^2], answer[^1]);
    }

    /// <summary>Sends a command and collects all its AF frames.</summary>
    public (byte[] Data, byte Status) SendAll(byte ins, params byte[] data)
    {
        var (all, status) = Send(ins, data);
        while (status == 0xAF)
        {
            var (more, next) = Send(0xAF);
            all = [.. all, .. more];
            status = next;
        }

        return (all, status);
    }

    /// <summary>AuthenticateAES (AA) with .NET's AES; returns the final status.</summary>
    public byte AuthenticateAes(byte keyNo, byte[] key)
    {
        var (encRndB, status) = Send(0xAA, keyNo);
        if (status != 0xAF)
        {
            return status;
        }

        using var aes = Aes.Create();
        aes.Key = key;
        var rndB = aes.DecryptCbc(encRndB, new byte[16], PaddingMode.None);
        var rndA = RandomNumberGenerator.GetBytes(16);
        byte[] plainToken = [.. rndA, .. rndB[1..], rndB[0]];
        var token = aes.EncryptCbc(plainToken, encRndB, PaddingMode.None);
        var (proof, final) = Send(0xAF, token);
        if (final != 0x00)
        {
            return final;
        }

        var rotA = aes.DecryptCbc(proof, token[^16..], PaddingMode.None);
        if (!rotA.AsSpan().SequenceEqual([.. rndA[1..], rndA[0]]))
        {
            throw new InvalidOperationException("The card's proof is wrong.");
        }

        _session = CardCipher.Create(DesfireKeyType.Aes, [.. rndA[..4], .. rndB[..4], .. rndA[12..16], .. rndB[12..16]]);
        _iv = new byte[16];
        return final;
    }

    /// <summary>ISO (1A, encipher both ways) or legacy (0A, decipher to send) DES-family authentication.</summary>
    public byte AuthenticateDes(byte ins, byte keyNo, DesfireKeyType type, byte[] key)
    {
        var cipher = CardCipher.Create(type, key);
        var (encRndB, status) = Send(ins, keyNo);
        if (status != 0xAF)
        {
            return status;
        }

        var n = encRndB.Length;
        var rndB = cipher.DecryptCbc(encRndB, new byte[8]);
        var rndA = RandomNumberGenerator.GetBytes(n);
        byte[] plain = [.. rndA, .. rndB[1..], rndB[0]];
        byte[] token;
        if (ins == 0x0A)
        {
            token = new byte[plain.Length];
            var previous = new byte[8];
            for (var i = 0; i < plain.Length; i += 8)
            {
                var block = new byte[8];
                for (var j = 0; j < 8; j++)
                {
                    block[j] = (byte)(plain[i + j] ^ previous[j]);
                }

                cipher.DecryptBlock(block, token.AsSpan(i, 8));
                previous = token[i..(i + 8)];
            }
        }
        else
        {
            token = cipher.EncryptCbc(plain, encRndB[^8..].ToArray());
        }

        var (proof, final) = Send(0xAF, token);
        if (final != 0x00)
        {
            return final;
        }

        var rotA = cipher.DecryptCbc(proof, ins == 0x0A ? new byte[8] : token[^8..].ToArray());
        if (!rotA.AsSpan().SequenceEqual([.. rndA[1..], rndA[0]]))
        {
            throw new InvalidOperationException("The card's proof is wrong.");
        }

        byte[] sessionKey = type switch
        {
            DesfireKeyType.ThreeKey3Des => [.. rndA[..4], .. rndB[..4], .. rndA[6..10], .. rndB[6..10], .. rndA[12..16], .. rndB[12..16]],
            DesfireKeyType.Des => [.. rndA[..4], .. rndB[..4]],
            _ => [.. rndA[..4], .. rndB[..4], .. rndA[4..8], .. rndB[4..8]],
        };
        _session = CardCipher.Create(type, sessionKey);
        _iv = new byte[8];
        return final;
    }

    /// <summary>An EV1 plain command: IV = CMAC(INS ‖ data); the answer's 8-byte CMAC is checked.</summary>
    public (byte[] Data, byte Status) SendMacedPlain(byte ins, params byte[] data)
    {
        _iv = CardMac.Cmac(_session!, _iv, [ins, .. data]);
        var (answer, status) = SendAll(ins, data);
        if (status != 0x00)
        {
            return (answer, status);
        }

        var body = answer[..^8];
        _iv = CardMac.Cmac(_session!, _iv, [.. body, status]);
        if (!answer[^8..].AsSpan().SequenceEqual(_iv.AsSpan(0, 8)))
        {
            throw new InvalidOperationException("The answer's CMAC is wrong.");
        }

        return (body, status);
    }

    /// <summary>EV1 enciphered ReadData: deciphers and checks CRC32(data ‖ 00) and the zero padding.</summary>
    public byte[] ReadEnciphered(byte fileNo, int length)
    {
        byte[] header = [fileNo, 0, 0, 0, (byte)length, (byte)(length >> 8), 0];
        _iv = CardMac.Cmac(_session!, _iv, [0xBD, .. header]);
        var (answer, status) = SendAll(0xBD, header);
        if (status != 0)
        {
            throw new InvalidOperationException($"ReadData answered 91 {status:X2}.");
        }

        var plain = _session!.DecryptCbc(answer, _iv);
        var data = plain[..length];
        if (!plain.AsSpan(length, 4).SequenceEqual(CardMac.Crc32([.. data, 0x00])) || plain.AsSpan(length + 4).ContainsAnyExcept((byte)0))
        {
            throw new InvalidOperationException("CRC32 or padding wrong.");
        }

        return data;
    }

    /// <summary>EV1 enciphered WriteData; <paramref name="tamper"/> flips a ciphertext bit.</summary>
    public byte WriteEnciphered(byte fileNo, byte[] data, bool tamper = false)
    {
        byte[] header = [fileNo, 0, 0, 0, (byte)data.Length, (byte)(data.Length >> 8), 0];
        var crc = CardMac.Crc32([0x3D, .. header, .. data]);
        var plain = new byte[((data.Length + 4 + 15) / 16) * 16];
        data.CopyTo(plain, 0);
        crc.CopyTo(plain, data.Length);
        var cipherText = _session!.EncryptCbc(plain, _iv);
        if (tamper)
        {
            cipherText[0] ^= 0x01;
        }

        var (answer, status) = SendAll(0x3D, [.. header, .. cipherText]);
        if (status == 0x00)
        {
            _iv = CardMac.Cmac(_session, _iv, [status]);
            if (!answer.AsSpan().SequenceEqual(_iv.AsSpan(0, 8)))
            {
                throw new InvalidOperationException("The write answer's CMAC is wrong.");
            }
        }

        return status;
    }
}
