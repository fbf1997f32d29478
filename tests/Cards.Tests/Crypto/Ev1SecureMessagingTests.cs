using System.Security.Cryptography;
using Middleware.Cards.Crypto;
using Middleware.Contracts.Readers;
using Xunit;

namespace Middleware.Cards.Tests.Crypto;

/// <summary>The reader-side EV1 rules checked against card-side computations written here from cards.md §3 step 4.</summary>
public sealed class Ev1SecureMessagingTests
{
    private static readonly byte[] SessionKey = Convert.FromHexString("A0A1A2A3B0B1B2B3ACADAEAFBCBDBEBF");

    [Fact]
    public void Every_command_updates_the_iv_with_its_cmac()
    {
        using var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        Assert.Equal(new byte[16], sm.Iv.ToArray());
        var sent = sm.ProtectCommand(0x6F, [], [], SecureMessagingMode.Plain);
        Assert.Empty(sent);

        using var aes = BlockCipher.Aes(SessionKey);
        var expected = Cmac.Compute(aes, [0x6F]);
        Assert.Equal(expected, sm.Iv.ToArray());

        // The next command chains from that IV.
        sm.ProtectCommand(0xBD, [1, 0, 0, 0, 4, 0, 0], [], SecureMessagingMode.Plain);
        var next = new byte[16];
        Cmac.Compute(aes, expected, [0xBD, 1, 0, 0, 0, 4, 0, 0], next);
        Assert.Equal(next, sm.Iv.ToArray());
    }

    [Fact]
    public void Maced_command_carries_the_first_8_bytes_of_the_cmac()
    {
        using var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        var sent = sm.ProtectCommand(0x3D, [2, 0, 0, 0, 3, 0, 0], [0xAA, 0xBB, 0xCC], SecureMessagingMode.Maced);
        using var aes = BlockCipher.Aes(SessionKey);
        var mac = Cmac.Compute(aes, [0x3D, 2, 0, 0, 0, 3, 0, 0, 0xAA, 0xBB, 0xCC]);
        Assert.Equal([2, 0, 0, 0, 3, 0, 0, 0xAA, 0xBB, 0xCC, .. mac[..8]], sent);
        Assert.Equal(mac, sm.Iv.ToArray());
    }

    [Fact]
    public void Enciphered_command_carries_crc_over_command_header_and_data()
    {
        using var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        byte[] header = [2, 0, 0, 0, 3, 0, 0];
        var sent = sm.ProtectCommand(0x3D, header, [0xAA, 0xBB, 0xCC], SecureMessagingMode.Enciphered);
        Assert.Equal(header, sent[..7]);
        Assert.Equal(16, sent.Length - 7);

        using var aes = BlockCipher.Aes(SessionKey);
        var iv = new byte[16];
        var plain = new byte[16];
        aes.DecryptCbc(sent[7..], iv, plain);
        Assert.Equal([0xAA, 0xBB, 0xCC], plain[..3]);
        var crc = DesfireCrc32.Compute([0x3D, .. header, 0xAA, 0xBB, 0xCC]);
        Assert.Equal(crc, BitConverter.ToUInt32(plain, 3));
        Assert.Equal(new byte[9], plain[7..]);
        Assert.Equal(sent[^16..], sm.Iv.ToArray());
    }

    [Fact]
    public void Plain_answer_mac_is_verified_and_becomes_the_iv()
    {
        using var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        using var aes = BlockCipher.Aes(SessionKey);
        byte[] data = [0x01, 0x02, 0x03];
        var mac = Cmac.Compute(aes, [.. data, 0x00]);
        Assert.Equal(data, sm.UnprotectResponse([.. data, .. mac[..8]], 0x00, SecureMessagingMode.Plain, null));
        Assert.Equal(mac, sm.Iv.ToArray());

        using var sm2 = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        mac[0] ^= 1;
        Assert.Throws<CryptographicException>(() => sm2.UnprotectResponse([.. data, .. mac[..8]], 0x00, SecureMessagingMode.Plain, null));
        Assert.Throws<CryptographicException>(() => sm2.UnprotectResponse([1, 2, 3], 0x00, SecureMessagingMode.Plain, null));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(12)] // data + CRC fill a block exactly: no padding
    [InlineData(0)]
    public void Enciphered_answer_is_deciphered_with_or_without_the_expected_length(int length)
    {
        var data = RandomNumberGenerator.GetBytes(length);
        var cipher = CardSideEncipher(data);

        using var known = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        Assert.Equal(data, known.UnprotectResponse(cipher, 0x00, SecureMessagingMode.Enciphered, length));
        Assert.Equal(cipher[^16..], known.Iv.ToArray());

        using var unknown = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey);
        Assert.Equal(data, unknown.UnprotectResponse(cipher, 0x00, SecureMessagingMode.Enciphered, null));
    }

    [Fact]
    public void Enciphered_answer_with_wrong_crc_padding_or_length_is_refused()
    {
        var data = RandomNumberGenerator.GetBytes(29);
        var cipher = CardSideEncipher(data);
        using (var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey))
        {
            Assert.Throws<CryptographicException>(() => sm.UnprotectResponse(cipher, 0x00, SecureMessagingMode.Enciphered, 28));
        }

        using (var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey))
        {
            Assert.Throws<CryptographicException>(() => sm.UnprotectResponse(cipher[..40], 0x00, SecureMessagingMode.Enciphered, 29));
        }

        var tampered = (byte[])cipher.Clone();
        tampered[20] ^= 0x01;
        using (var sm = new Ev1SecureMessaging(DesfireKeyType.Aes128, SessionKey))
        {
            Assert.Throws<CryptographicException>(() => sm.UnprotectResponse(tampered, 0x00, SecureMessagingMode.Enciphered, 29));
        }
    }

    [Fact]
    public void Triple_des_sessions_use_8_byte_blocks()
    {
        var key = Convert.FromHexString("A0A1A2A3B0B1B2B3A6A7A8A9B6B7B8B9ACADAEAFBCBDBEBF");
        using var sm = new Ev1SecureMessaging(DesfireKeyType.ThreeKey3Des, key);
        Assert.Equal(8, sm.Iv.Length);
        var sent = sm.ProtectCommand(0x3D, [], [1, 2, 3], SecureMessagingMode.Maced);
        using var des = BlockCipher.TripleDes(key);
        Assert.Equal(Cmac.Compute(des, [0x3D, 1, 2, 3]), sent[3..]);
    }

    private static byte[] CardSideEncipher(byte[] data)
    {
        // Card side: E(data ‖ CRC32(data ‖ 00) ‖ zeros), CBC from the zero IV of a fresh session.
        var crc = DesfireCrc32.Update(DesfireCrc32.Compute(data), [0x00]);
        var padded = new byte[(data.Length + 4 + 15) / 16 * 16];
        data.CopyTo(padded, 0);
        BitConverter.GetBytes(crc).CopyTo(padded, data.Length);
        using var aes = BlockCipher.Aes(SessionKey);
        var cipher = new byte[padded.Length];
        aes.EncryptCbc(padded, new byte[16], cipher);
        return cipher;
    }
}
