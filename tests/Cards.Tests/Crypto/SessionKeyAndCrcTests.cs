using Middleware.Cards.Crypto;
using Xunit;

namespace Middleware.Cards.Tests.Crypto;

public sealed class SessionKeyAndCrcTests
{
    private static readonly byte[] RndA16 = Convert.FromHexString("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    private static readonly byte[] RndB16 = Convert.FromHexString("B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF");

    [Fact]
    public void Des_session_key() =>
        Assert.Equal("A0A1A2A3B0B1B2B3", Convert.ToHexString(DesfireSessionKeys.Derive(DesfireKeyType.Des, RndA16[..8], RndB16[..8])));

    [Fact]
    public void TwoKey3Des_session_key() =>
        Assert.Equal("A0A1A2A3B0B1B2B3A4A5A6A7B4B5B6B7", Convert.ToHexString(DesfireSessionKeys.Derive(DesfireKeyType.TwoKey3Des, RndA16[..8], RndB16[..8])));

    [Fact]
    public void ThreeKey3Des_session_key() =>
        Assert.Equal(
            "A0A1A2A3B0B1B2B3A6A7A8A9B6B7B8B9ACADAEAFBCBDBEBF",
            Convert.ToHexString(DesfireSessionKeys.Derive(DesfireKeyType.ThreeKey3Des, RndA16, RndB16)));

    [Fact]
    public void Aes_session_key() =>
        Assert.Equal("A0A1A2A3B0B1B2B3ACADAEAFBCBDBEBF", Convert.ToHexString(DesfireSessionKeys.Derive(DesfireKeyType.Aes128, RndA16, RndB16)));

    [Fact]
    public void Session_key_refuses_wrong_random_lengths()
    {
        Assert.Throws<ArgumentException>(() => DesfireSessionKeys.Derive(DesfireKeyType.Aes128, RndA16[..8], RndB16[..8]));
        Assert.Throws<ArgumentException>(() => DesfireSessionKeys.Derive(DesfireKeyType.Des, RndA16, RndB16));
    }

    [Fact]
    public void Rotate_left_moves_first_byte_last() =>
        Assert.Equal("0203040501", Convert.ToHexString(DesfireSessionKeys.RotateLeft(Convert.FromHexString("0102030405"))));

    [Fact]
    public void Desfire_crc32_is_the_ieee_crc_without_final_inversion()
    {
        // CRC-32/ISO-HDLC of "123456789" is CBF43926; DESFire skips the final inversion.
        var crc = DesfireCrc32.Compute("123456789"u8);
        Assert.Equal(0x340BC6D9u, crc);
        Assert.Equal(0xCBF43926u, ~crc);
        var le = new byte[4];
        DesfireCrc32.Write(crc, le);
        Assert.Equal("D9C60B34", Convert.ToHexString(le));
        Assert.Equal(0xFFFFFFFFu, DesfireCrc32.Compute([]));
        Assert.Equal(crc, DesfireCrc32.Update(DesfireCrc32.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public void Crc8_smbus_check_value() => Assert.Equal(0xF4, Middleware.Plugins.Sdk.Zdc.ZdcCodec.Crc8("123456789"u8));
}
