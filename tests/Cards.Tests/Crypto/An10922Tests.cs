using Middleware.Cards.Crypto;
using Xunit;

namespace Middleware.Cards.Tests.Crypto;

public sealed class An10922Tests
{
    private static readonly byte[] Master = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");

    [Fact]
    public void Nxp_example_with_18_byte_D()
    {
        var m = Convert.FromHexString("04782E21801D803042F54E585020416275");
        Assert.Equal("A8DD63A3B89D54B37CA802473FDA9175", Convert.ToHexString(An10922.DiversifyAes128(Master, m)));
    }

    [Fact]
    public void Project_vector_with_16_byte_D_pads_to_32_bytes()
    {
        // UID 04A1B2C3D4E5F6, AID F58540 LSB first, ASCII "CROUS": D = 0x01 ‖ M is exactly 16 bytes.
        var m = Convert.FromHexString("04A1B2C3D4E5F64085F543524F5553");
        Assert.Equal(15, m.Length);
        Assert.Equal("4642F262A39C6422E33213820B72C5BD", Convert.ToHexString(An10922.DiversifyAes128(Master, m)));

        // A plain CMAC of 0x01 ‖ M (the shipped library bug) gives another key.
        using var aes = BlockCipher.Aes(Master);
        var plainCmac = Cmac.Compute(aes, [0x01, .. m]);
        Assert.StartsWith("937A5FC9", Convert.ToHexString(plainCmac));
        Assert.NotEqual("4642F262A39C6422E33213820B72C5BD", Convert.ToHexString(plainCmac));
    }

    [Fact]
    public void Thirty_one_byte_input_uses_K1_without_padding()
    {
        // D = 32 bytes: the last block is XORed with K1 and not padded, i.e. exactly a CMAC of D.
        var m = Enumerable.Range(0, 31).Select(i => (byte)i).ToArray();
        using var aes = BlockCipher.Aes(Master);
        Assert.Equal(Convert.ToHexString(Cmac.Compute(aes, [0x01, .. m])), Convert.ToHexString(An10922.DiversifyAes128(Master, m)));
    }

    [Fact]
    public void Bad_inputs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => An10922.DiversifyAes128(Master, []));
        Assert.Throws<ArgumentException>(() => An10922.DiversifyAes128(Master, new byte[32]));
        Assert.Throws<ArgumentException>(() => An10922.DiversifyAes128(new byte[8], new byte[4]));
    }
}
