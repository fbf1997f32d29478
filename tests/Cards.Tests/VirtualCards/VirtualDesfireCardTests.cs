using System.Security.Cryptography;
using System.Text;
using Middleware.VirtualCards.Crypto;
using Middleware.VirtualCards.Desfire;
using Middleware.VirtualCards.Izly;
using Xunit;

namespace Middleware.Cards.Tests.VirtualCards;

public sealed class VirtualDesfireCardTests
{
    private static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F6");
    private static readonly byte[] Master = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    private const string ExampleZdc = "01D10300000041010005000000000225510004A1B2C3D4E5F624090289";

    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000000", NumeroApplicatif = "04A1B2C3D4E5F6", Crous = 5, CreationDate = new DateOnly(2024, 9, 2) };

    private static byte[] CardReadKey => An10922.DiversifyAes128(Master, An10922.DesfireInput(Uid, 0xF58540));

    [Fact]
    public void Own_des_matches_the_fips_example_and_dotnet_des()
    {
        var des = new CardDes(Convert.FromHexString("133457799BBCDFF1"));
        var output = new byte[8];
        des.EncryptBlock(Convert.FromHexString("0123456789ABCDEF"), output);
        Assert.Equal("85E813540F0AB405", Convert.ToHexString(output));

        var random = new Random(1234);
        using var reference = DES.Create();
        for (var i = 0; i < 40; i++)
        {
            var key = new byte[8];
            var block = new byte[8];
            random.NextBytes(key);
            random.NextBytes(block);
            if (DES.IsWeakKey(key) || DES.IsSemiWeakKey(key))
            {
                continue;
            }

            reference.Key = key;
            var mine = new CardDes(key);
            var encrypted = new byte[8];
            mine.EncryptBlock(block, encrypted);
            Assert.Equal(reference.EncryptEcb(block, PaddingMode.None), encrypted);
            var decrypted = new byte[8];
            mine.DecryptBlock(encrypted, decrypted);
            Assert.Equal(block, decrypted);
        }
    }

    [Theory]
    [InlineData("", "BB1D6929E95937287FA37D129B756746")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172A", "070A16B46B4D4144F79BDD9DD04A287C")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411", "DFA66747DE9AE63030CA32611497C827")]
    public void Own_cmac_matches_nist_sp800_38b(string message, string expected)
    {
        var cipher = CardCipher.Create(DesfireKeyType.Aes, Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"));

        Assert.Equal(expected, Convert.ToHexString(CardMac.Cmac(cipher, new byte[16], Convert.FromHexString(message))));
    }

    [Fact]
    public void Own_an10922_gives_both_vectors_of_cards_md()
    {
        Assert.Equal("A8DD63A3B89D54B37CA802473FDA9175", Convert.ToHexString(An10922.DiversifyAes128(Master, Convert.FromHexString("04782E21801D803042F54E585020416275"))));
        Assert.Equal("4642F262A39C6422E33213820B72C5BD", Convert.ToHexString(An10922.DiversifyAes128(Master, An10922.DesfireInput(Uid, 0xF58540))));
    }

    [Fact]
    public void Own_checksums_match_their_check_values()
    {
        var check = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal("D9C60B34", Convert.ToHexString(CardMac.Crc32(check))); // CRC-32 without the final inversion, LE
        Assert.Equal("05BF", Convert.ToHexString(CardMac.Crc16(check)));     // CRC-A 0xBF05, LE
        Assert.Equal(0xF4, CardMac.Crc8Smbus(check));
    }

    [Fact]
    public void The_zdc_example_of_cards_md_is_encoded_to_the_byte()
    {
        Assert.Equal(ExampleZdc, Convert.ToHexString(Zdc.Encode()));
    }

    [Theory]
    [InlineData("1000000000000000", "04A1B2C3D4E5F6")]
    [InlineData("36000000", "04A1B2C3D4E5")]
    [InlineData("-1", "04A1B2C3D4E5F6")]
    public void An_invalid_zdc_description_is_refused(string idSupport, string numero)
    {
        Assert.Throws<ArgumentException>(() => (Zdc with { IdSupport = idSupport, NumeroApplicatif = numero }).Encode());
    }

    [Fact]
    public void An_izly_card_authenticates_with_the_diversified_key_and_answers_the_enciphered_zdc()
    {
        var reader = new TestReader(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(Master)));

        Assert.Equal(0x00, reader.Send(0x5A, 0x40, 0x85, 0xF5).Status);
        Assert.Equal(0x00, reader.AuthenticateAes(1, CardReadKey));
        Assert.Equal(ExampleZdc, Convert.ToHexString(reader.ReadEnciphered(0, 29)));

        // EV1 secure messaging goes on: a plain command after the read is MACed with the chained IV.
        var (settings, status) = reader.SendMacedPlain(0xF5, 0x00);
        Assert.Equal(0x00, status);
        Assert.Equal("0003", Convert.ToHexString(settings[..2]));
    }

    [Fact]
    public void Uid_comes_from_get_data_and_from_the_third_get_version_frame()
    {
        var card = IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(Master));
        Assert.Equal("04A1B2C3D4E5F69000", Convert.ToHexString(card.Transmit([0xFF, 0xCA, 0x00, 0x00, 0x00])));

        var (version, status) = new TestReader(card).SendAll(0x60);
        Assert.Equal(0x00, status);
        Assert.Equal(28, version.Length);
        Assert.Equal("04A1B2C3D4E5F6", Convert.ToHexString(version[14..21]));
    }

    [Fact]
    public void A_wrong_key_is_refused_with_91_AE_and_reading_then_needs_authentication()
    {
        var reader = new TestReader(IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(Master)));
        reader.Send(0x5A, 0x40, 0x85, 0xF5);

        Assert.Equal(0xAE, reader.AuthenticateAes(1, new byte[16]));
        Assert.Equal(0xAE, reader.Send(0xBD, 0, 0, 0, 0, 29, 0, 0).Status);
        Assert.Equal(0x40, reader.Send(0xAA, 9).Status); // no such key
        Assert.Equal(0xAE, reader.Send(0x0A, 1).Status); // legacy authentication on an AES key
    }

    [Fact]
    public void Status_words_for_missing_application_file_length_and_permission()
    {
        var card = IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(Master));
        var reader = new TestReader(card);

        Assert.Equal(0xA0, reader.Send(0x5A, 0x01, 0x02, 0x03).Status);
        Assert.Equal(0x7E, reader.Send(0x5A, 0x40, 0x85).Status);
        Assert.Equal(0x00, reader.Send(0x5A, 0x40, 0x85, 0xF5).Status);
        Assert.Equal(0xF0, reader.Send(0xBD, 7, 0, 0, 0, 1, 0, 0).Status);
        Assert.Equal(0x1C, reader.Send(0x99).Status);
        Assert.Equal("6E00", Convert.ToHexString(card.Transmit([0x80, 0x60, 0x00, 0x00, 0x00])));

        // Read-write "never" and read by key 1: authenticated with key 2 (write), reading is refused.
        var application = card.Applications[0xF58540];
        var writeOnly = new DesfireStandardFile(5, DesfireCommMode.Plain, new DesfireAccessRights(DesfireAccessRights.Never, 2, DesfireAccessRights.Never, 0), 8);
        application.Files.Add(5, writeOnly);
        Assert.Equal(0x9D, reader.Send(0xBD, 5, 0, 0, 0, 8, 0, 0).Status);
    }

    [Fact]
    public void Enciphered_write_then_read_round_trips_and_a_tampered_write_gives_91_1E()
    {
        var writeKey = RandomNumberGenerator.GetBytes(16);
        var readKey = RandomNumberGenerator.GetBytes(16);
        var card = IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(readKey, WriteKey: writeKey, AlreadyDiversified: true));
        var reader = new TestReader(card);
        reader.Send(0x5A, 0x40, 0x85, 0xF5);
        var updated = (Zdc with { IdSupport = "123456789012345" }).Encode();

        Assert.Equal(0x00, reader.AuthenticateAes(2, writeKey));
        Assert.Equal(0x00, reader.WriteEnciphered(0, updated));
        Assert.Equal(0x1E, reader.WriteEnciphered(0, new byte[29], tamper: true));

        Assert.Equal(0x00, reader.AuthenticateAes(1, readKey));
        Assert.Equal(updated, reader.ReadEnciphered(0, 29));
    }

    [Fact]
    public void A_long_plain_file_is_read_in_91_AF_frames()
    {
        var content = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var file = new DesfireStandardFile(1, DesfireCommMode.Plain, new DesfireAccessRights(DesfireAccessRights.Free, 0, 0, 0), 100);
        content.CopyTo(file.Data, 0);
        var card = new VirtualDesfireCard(Uid).WithApplication(new DesfireApplication(0x123456, [DesfireKey.Aes(new byte[16])]).WithFile(file));
        var reader = new TestReader(card);
        reader.Send(0x5A, 0x56, 0x34, 0x12);

        var (first, status) = reader.Send(0xBD, 1, 0, 0, 0, 0, 0, 0);
        Assert.Equal(0xAF, status);
        Assert.Equal(59, first.Length);
        var (rest, last) = reader.Send(0xAF);
        Assert.Equal(0x00, last);
        Assert.Equal(Convert.ToHexString(content), Convert.ToHexString([.. first, .. rest]));
    }

    [Fact]
    public void Factory_card_legacy_des_auth_then_create_application_and_file()
    {
        var card = new VirtualDesfireCard(Uid);
        var reader = new TestReader(card);

        Assert.Equal(0x00, reader.AuthenticateDes(0x0A, 0, DesfireKeyType.Des, new byte[8]));
        Assert.Equal(0x00, reader.Send(0xCA, 0x11, 0x22, 0x33, 0x0F, 0x43).Status); // 3 keys, 3K3DES
        Assert.Equal(0xDE, reader.Send(0xCA, 0x11, 0x22, 0x33, 0x0F, 0x43).Status);
        Assert.Equal("112233", Convert.ToHexString(reader.SendAll(0x6A).Data)); // AIDs LSB first, as sent
        Assert.Equal(0x00, reader.Send(0x5A, 0x11, 0x22, 0x33).Status);
        Assert.Equal(0x00, reader.Send(0xCD, 0x02, 0x00, 0x00, 0xEE, 0x10, 0x00, 0x00).Status);
        Assert.Equal("02", Convert.ToHexString(reader.SendAll(0x6F).Data));
    }

    [Theory]
    [InlineData(DesfireKeyType.ThreeKey3Des, 24)]
    [InlineData(DesfireKeyType.TwoKey3Des, 16)]
    public void Iso_authentication_opens_an_ev1_session_with_8_byte_block_cmac(DesfireKeyType type, int keyLength)
    {
        var key = RandomNumberGenerator.GetBytes(keyLength);
        var card = new VirtualDesfireCard(Uid).WithApplication(new DesfireApplication(0x000042, [new DesfireKey(type, key)]));
        var reader = new TestReader(card);
        reader.Send(0x5A, 0x42, 0x00, 0x00);

        Assert.Equal(0x00, reader.AuthenticateDes(0x1A, 0, type, key));
        var (settings, status) = reader.SendMacedPlain(0x45);
        Assert.Equal(0x00, status);
        Assert.Equal(type == DesfireKeyType.ThreeKey3Des ? "0F41" : "0F01", Convert.ToHexString(settings));
    }

    [Fact]
    public void A_json_description_personalises_a_card_readable_with_the_sam_master_key()
    {
        var spec = VirtualIzlyCardSpec.Parse("""
            { "uid": "04A1B2C3D4E5F6", "idSupport": "36000000", "numeroApplicatif": "04A1B2C3D4E5F6", "crous": 5,
              "creationDate": "2024-09-02", "readMasterKey": "00112233445566778899AABBCCDDEEFF", }
            """);
        var reader = new TestReader(spec.CreateCard());
        reader.Send(0x5A, 0x40, 0x85, 0xF5);

        Assert.Equal(0x00, reader.AuthenticateAes(1, CardReadKey));
        Assert.Equal(ExampleZdc, Convert.ToHexString(reader.ReadEnciphered(0, 29)));
    }

    [Fact]
    public async Task The_personalisation_command_rejects_bad_arguments_and_descriptions()
    {
        var output = new StringWriter();
        Assert.Equal(2, await VirtualIzlyCardCommand.RunAsync([], output, CancellationToken.None));
        Assert.Equal(2, await VirtualIzlyCardCommand.RunAsync(["--port", "nope"], output, CancellationToken.None));

        var path = Path.Combine(Path.GetTempPath(), "mw-virtual-card-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, """{ "uid": "04A1", "idSupport": "1", "numeroApplicatif": "00", "readMasterKey": "00" }""");
        try
        {
            Assert.Equal(2, await VirtualIzlyCardCommand.RunAsync(["--spec", path], output, CancellationToken.None));
            Assert.Contains("Invalid card description", output.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
