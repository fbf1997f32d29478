using Middleware.Cards.Crypto;
using Xunit;

namespace Middleware.Cards.Tests.Crypto;

public sealed class CmacTests
{
    private static readonly byte[] NistAesKey = Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C");

    // NIST SP 800-38B, D.1 (AES-128): subkeys and the four examples.
    [Fact]
    public void Aes128_subkeys_match_NIST()
    {
        using var aes = BlockCipher.Aes(NistAesKey);
        var k1 = new byte[16];
        var k2 = new byte[16];
        Cmac.Subkeys(aes, k1, k2);
        Assert.Equal("FBEED618357133667C85E08F7236A8DE", Convert.ToHexString(k1));
        Assert.Equal("F7DDAC306AE266CCF90BC11EE46D513B", Convert.ToHexString(k2));
    }

    [Theory]
    [InlineData("", "BB1D6929E95937287FA37D129B756746")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172A", "070A16B46B4D4144F79BDD9DD04A287C")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411", "DFA66747DE9AE63030CA32611497C827")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710", "51F0BEBF7E3B9D92FC49741779363CFE")]
    public void Aes128_cmac_matches_NIST(string message, string expected)
    {
        using var aes = BlockCipher.Aes(NistAesKey);
        Assert.Equal(expected, Convert.ToHexString(Cmac.Compute(aes, Convert.FromHexString(message))));
    }

    // NIST SP 800-38B, D.2 (three-key TDEA, Rb = 0x1B).
    [Theory]
    [InlineData("", "B7A688E122FFAF95")]
    [InlineData("6BC1BEE22E409F96", "8E8F293136283797")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172AAE2D8A57", "743DDBE0CE2DC2ED")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51", "33E6B1092400EAE5")]
    public void Tdea_cmac_matches_NIST(string message, string expected)
    {
        using var des = BlockCipher.TripleDes(Convert.FromHexString("8AA83BF8CBDA10620BC1BF19FBB6CD58BC313D4A371CA8B5"));
        Assert.Equal(expected, Convert.ToHexString(Cmac.Compute(des, Convert.FromHexString(message))));
    }

    [Fact]
    public void Cmac_with_iv_differs_from_zero_iv_and_chains()
    {
        using var aes = BlockCipher.Aes(NistAesKey);
        var message = Convert.FromHexString("BD00000000001D0000");
        var zero = Cmac.Compute(aes, message);
        var withIv = new byte[16];
        Cmac.Compute(aes, zero, message, withIv);
        Assert.NotEqual(zero, withIv);
        // Starting from a zero IV explicitly is the standard CMAC.
        var explicitZero = new byte[16];
        Cmac.Compute(aes, new byte[16], message, explicitZero);
        Assert.Equal(zero, explicitZero);
    }

    [Fact]
    public void Single_des_key_runs_as_des()
    {
        // The classic DES example: key 133457799BBCDFF1, plaintext 0123456789ABCDEF.
        using var des = BlockCipher.TripleDes(Convert.FromHexString("133457799BBCDFF1"));
        var output = new byte[8];
        des.EncryptBlock(Convert.FromHexString("0123456789ABCDEF"), output);
        Assert.Equal("85E813540F0AB405", Convert.ToHexString(output));
    }

    [Fact]
    public void Weak_des_keys_work_as_the_cards_use_them()
    {
        // DES(0000000000000000, 0000000000000000) = 8CA64DE9C1B123A7; a 2K3DES key with equal halves is single DES.
        var output = new byte[8];
        using (var des = BlockCipher.TripleDes(new byte[8]))
        {
            des.EncryptBlock(new byte[8], output);
        }

        Assert.Equal("8CA64DE9C1B123A7", Convert.ToHexString(output));
        using var twoKey = BlockCipher.TripleDes(new byte[16]);
        var output2 = new byte[8];
        twoKey.EncryptBlock(new byte[8], output2);
        Assert.Equal(output, output2);
    }

    [Fact]
    public void Managed_triple_des_matches_the_platform_in_cbc()
    {
        var key = Convert.FromHexString("0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123");
        var plain = Convert.FromHexString("4E6F77206973207468652074696D6520666F7220616C6C20");
        var ivBytes = Convert.FromHexString("F1E2D3C4B5A69788");
        using var platform = System.Security.Cryptography.TripleDES.Create();
        platform.Key = key;
        var expected = platform.EncryptCbc(plain, ivBytes, System.Security.Cryptography.PaddingMode.None);

        using var des = BlockCipher.TripleDes(key);
        var iv = (byte[])ivBytes.Clone();
        var output = new byte[plain.Length];
        des.EncryptCbc(plain, iv, output);
        Assert.Equal(expected, output);
        Assert.Equal(expected[^8..], iv);

        var back = new byte[plain.Length];
        var iv2 = (byte[])ivBytes.Clone();
        des.DecryptCbc(output, iv2, back);
        Assert.Equal(plain, back);
    }

    [Fact]
    public void Cbc_leaves_last_ciphertext_block_as_iv()
    {
        using var aes = BlockCipher.Aes(NistAesKey);
        var iv = new byte[16];
        var output = new byte[32];
        aes.EncryptCbc(new byte[32], iv, output);
        Assert.Equal(output[16..], iv);
        var back = new byte[32];
        var iv2 = new byte[16];
        aes.DecryptCbc(output, iv2, back);
        Assert.Equal(new byte[32], back);
        Assert.Equal(output[16..], iv2);
    }

    [Fact]
    public void Bad_key_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => BlockCipher.TripleDes(new byte[7]));
        Assert.Throws<ArgumentException>(() => BlockCipher.For(DesfireKeyType.Aes128, new byte[8]));
        Assert.Throws<ArgumentException>(() => BlockCipher.For(DesfireKeyType.ThreeKey3Des, new byte[16]));
    }
}
