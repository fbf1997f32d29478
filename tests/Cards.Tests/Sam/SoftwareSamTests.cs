using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Cards.Crypto;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Xunit;

namespace Middleware.Cards.Tests.Sam;

public sealed class SoftwareSamTests
{
    private static SoftwareSam Create(string path) =>
        new(Options.Create(new SoftwareSamOptions { KeyFile = path }), NullLogger<SoftwareSam>.Instance);

    [Fact]
    public void Desfire_input_is_uid_aid_lsb_first_and_system_identifier()
    {
        var m = SoftwareSam.BuildInput(SamTechnology.Desfire, SamDiversification.ForDesfire(DesfireTestBed.Uid, 0xF58540), "CROUS"u8);
        Assert.Equal("04A1B2C3D4E5F64085F543524F5553", Convert.ToHexString(m));
        // ...which is the project's AN10922 vector of cards.md §2.
        Assert.Equal("4642F262A39C6422E33213820B72C5BD", Convert.ToHexString(An10922.DiversifyAes128(DesfireTestBed.Master, m)));
    }

    [Fact]
    public void Classic_and_ultralight_inputs()
    {
        var uid4 = Convert.FromHexString("A1B2C3D4");
        Assert.Equal("A1B2C3D401" + "43524F5553", Convert.ToHexString(SoftwareSam.BuildInput(SamTechnology.Classic, SamDiversification.ForClassic(uid4, 1), "CROUS"u8)));
        Assert.Equal("04A1B2C3D4E5F6" + "43524F5553", Convert.ToHexString(SoftwareSam.BuildInput(SamTechnology.UltralightC, SamDiversification.ForUltralightC(DesfireTestBed.Uid), "CROUS"u8)));
    }

    [Theory]
    [InlineData(SamTechnology.Desfire, 4, true, false)]
    [InlineData(SamTechnology.Desfire, 7, false, false)]
    [InlineData(SamTechnology.Classic, 5, false, true)]
    [InlineData(SamTechnology.Classic, 7, false, false)]
    [InlineData(SamTechnology.UltralightC, 4, false, false)]
    public void Bad_diversification_inputs_are_refused(SamTechnology technology, int uidLength, bool withAid, bool withSector)
    {
        var input = new SamDiversification(new byte[uidLength], withAid ? 0xF58540u : null, withSector ? (byte)1 : null);
        var ex = Assert.Throws<SamException>(() => SoftwareSam.BuildInput(technology, input, "CROUS"u8));
        Assert.Equal(SamError.InvalidInput, ex.Error);
    }

    [Fact]
    public async Task Authentication_and_secure_messaging_against_the_card_side()
    {
        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile());
        using var sam = Create(keys.Path);
        Assert.Equal(DesfireTestBed.SamId, sam.SamId);
        var card = DesfireTestBed.IzlyCard();

        Assert.Equal(Ok, card.Process(Apdu(0x5A, 0x40, 0x85, 0xF5))[^2..]);
        var challenge = card.Process(Apdu(0xAA, 0x01));
        Assert.Equal(new byte[] { 0x91, 0xAF }, challenge[^2..]);

        using var auth = await sam.BeginAuthenticationAsync(new SamKeyReference(SamTechnology.Desfire, 1), SamDiversification.ForDesfire(DesfireTestBed.Uid, DesfireTestBed.Aid), challenge[..^2], CancellationToken.None);
        Assert.Equal(32, auth.ReaderResponse.Length);
        var proof = card.Process(Apdu(0xAF, auth.ReaderResponse.ToArray()));
        Assert.Equal(Ok, proof[^2..]);

        using var session = await auth.CompleteAsync(proof[..^2], CancellationToken.None);
        byte[] header = [0x00, 0, 0, 0, 29, 0, 0];
        var command = await session.ProtectCommandAsync(0xBD, header, ReadOnlyMemory<byte>.Empty, SecureMessagingMode.Plain, CancellationToken.None);
        Assert.Equal(header, command);
        var answer = card.Process(Apdu(0xBD, command));
        Assert.Equal(Ok, answer[^2..]);
        Assert.Equal(48, answer.Length - 2);

        var plain = await session.UnprotectResponseAsync(answer[..^2], 0x00, SecureMessagingMode.Enciphered, 29, CancellationToken.None);
        Assert.Equal(Zdc.ZdcCodecTests.ExampleHex, Convert.ToHexString(plain));

        // A second authentication cannot reuse the completed one.
        var again = await Assert.ThrowsAsync<SamException>(() => auth.CompleteAsync(proof[..^2], CancellationToken.None));
        Assert.Equal(SamError.InvalidState, again.Error);
    }

    [Fact]
    public async Task Wrong_proof_is_an_authentication_failure()
    {
        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile());
        using var sam = Create(keys.Path);
        using var auth = await sam.BeginAuthenticationAsync(new SamKeyReference(SamTechnology.Desfire, 1), SamDiversification.ForDesfire(DesfireTestBed.Uid, DesfireTestBed.Aid), new byte[16], CancellationToken.None);
        var ex = await Assert.ThrowsAsync<SamException>(() => auth.CompleteAsync(new byte[16], CancellationToken.None));
        Assert.Equal(SamError.AuthenticationFailed, ex.Error);
    }

    [Fact]
    public async Task Ultralight_c_authentication_uses_2k3des_with_8_byte_randoms()
    {
        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile());
        using var sam = Create(keys.Path);
        var cardKey = An10922.DiversifyAes128(Convert.FromHexString("F0E0D0C0B0A090807060504030201000"), [.. DesfireTestBed.Uid, .. "CROUS"u8]);

        // Card side (Ultralight C 1A): ek(RndB) with IV 0.
        using var des = BlockCipher.TripleDes(cardKey);
        var rndB = RandomNumberGenerator.GetBytes(8);
        var iv = new byte[8];
        var challenge = new byte[8];
        des.EncryptCbc(rndB, iv, challenge);

        using var auth = await sam.BeginAuthenticationAsync(new SamKeyReference(SamTechnology.UltralightC, 0), SamDiversification.ForUltralightC(DesfireTestBed.Uid), challenge, CancellationToken.None);
        var readerAnswer = auth.ReaderResponse.ToArray();
        Assert.Equal(16, readerAnswer.Length);
        var plain = new byte[16];
        des.DecryptCbc(readerAnswer, iv, plain);
        Assert.Equal(DesfireSessionKeys.RotateLeft(rndB), plain[8..]);
        var proof = new byte[8];
        des.EncryptCbc(DesfireSessionKeys.RotateLeft(plain[..8]), iv, proof);

        using var session = await auth.CompleteAsync(proof, CancellationToken.None);
        var noSm = await Assert.ThrowsAsync<SamException>(() => session.ProtectCommandAsync(0x30, new byte[] { 4 }, ReadOnlyMemory<byte>.Empty, SecureMessagingMode.Plain, CancellationToken.None));
        Assert.Equal(SamError.InvalidState, noSm.Error);
    }

    [Fact]
    public async Task Classic_key_is_exported_only_from_an_exportable_entry()
    {
        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile());
        using var sam = Create(keys.Path);
        var uid = Convert.FromHexString("A1B2C3D4");
        var exported = await sam.ExportDiversifiedKeyAsync(new SamKeyReference(SamTechnology.Classic, 0), SamDiversification.ForClassic(uid, 1), CancellationToken.None);
        var expected = An10922.DiversifyAes128(Convert.FromHexString("000102030405060708090A0B0C0D0E0F"), [.. uid, 1, .. "CROUS"u8]);
        Assert.Equal(expected, exported.Key.ToArray());
        Assert.DoesNotContain(Convert.ToHexString(expected), exported.ToString());
        exported.Dispose();
        Assert.Throws<ObjectDisposedException>(() => exported.Key.Length);

        var refused = await Assert.ThrowsAsync<SamException>(() => sam.ExportDiversifiedKeyAsync(new SamKeyReference(SamTechnology.Desfire, 1), SamDiversification.ForDesfire(DesfireTestBed.Uid, DesfireTestBed.Aid), CancellationToken.None));
        Assert.Equal(SamError.KeyNotExportable, refused.Error);

        var classicAuth = await Assert.ThrowsAsync<SamException>(() => sam.BeginAuthenticationAsync(new SamKeyReference(SamTechnology.Classic, 0), SamDiversification.ForClassic(uid, 1), new byte[16], CancellationToken.None));
        Assert.Equal(SamError.InvalidInput, classicAuth.Error);
    }

    [Fact]
    public async Task Unknown_key_and_bad_challenge_are_refused()
    {
        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile());
        using var sam = Create(keys.Path);
        var missing = await Assert.ThrowsAsync<SamException>(() => sam.BeginAuthenticationAsync(new SamKeyReference(SamTechnology.Desfire, 7), SamDiversification.ForDesfire(DesfireTestBed.Uid, DesfireTestBed.Aid), new byte[16], CancellationToken.None));
        Assert.Equal(SamError.KeyNotFound, missing.Error);
        var shortChallenge = await Assert.ThrowsAsync<SamException>(() => sam.BeginAuthenticationAsync(new SamKeyReference(SamTechnology.Desfire, 1), SamDiversification.ForDesfire(DesfireTestBed.Uid, DesfireTestBed.Aid), new byte[8], CancellationToken.None));
        Assert.Equal(SamError.InvalidInput, shortChallenge.Error);
    }

    [Fact]
    public void Key_file_accessible_by_group_or_others_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var sam = Create(keys.Path);
        var ex = Assert.Throws<SamException>(() => sam.SamId);
        Assert.Equal(SamError.Unavailable, ex.Error);
        Assert.Contains("group or others", ex.Message);
        Assert.Contains("644", ex.Message);
    }

    [Theory]
    [InlineData("""{ "keys": [] }""", "samId")]
    [InlineData("""{ "samId": "S", "keys": [ { "technology": "Desfire", "keyNumber": 1, "key": "0011" } ] }""", "keys[0].key")]
    [InlineData("""{ "samId": "S", "keys": [ { "technology": "Desfire", "keyNumber": 1, "key": "ZZ112233445566778899AABBCCDDEEFF" } ] }""", "keys[0].key")]
    [InlineData("""{ "samId": "S", "keys": [ { "technology": "Calypso", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" } ] }""", "keys[0].technology")]
    [InlineData("""{ "samId": "S", "keys": [ { "technology": "Desfire", "keyNumber": 300, "key": "00112233445566778899AABBCCDDEEFF" } ] }""", "keys[0].keyNumber")]
    [InlineData("""{ "samId": "S", "keys": [ { "technology": "Desfire", "key": "00112233445566778899AABBCCDDEEFF" } ] }""", "keys[0] needs")]
    [InlineData("""{ "samId": "S", "keys": [ { "technology": "Desfire", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" }, { "technology": "Desfire", "keyNumber": 1, "key": "00112233445566778899AABBCCDDEEFF" } ] }""", "two entries")]
    [InlineData("""{ "samId": "S", """, "not valid JSON")]
    public void Malformed_key_files_are_refused_without_showing_keys(string content, string expected)
    {
        using var keys = TempKeyFile.Create(content);
        using var sam = Create(keys.Path);
        var ex = Assert.Throws<SamException>(() => sam.SamId);
        Assert.Equal(SamError.Unavailable, ex.Error);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("00112233445566778899AABBCCDDEEFF", ex.Message);
    }

    [Fact]
    public void Missing_or_unconfigured_key_file_makes_the_sam_unavailable()
    {
        using var none = new SoftwareSam(Options.Create(new SoftwareSamOptions()), NullLogger<SoftwareSam>.Instance);
        Assert.Equal(SamError.Unavailable, Assert.Throws<SamException>(() => none.SamId).Error);
        using var missing = Create(Path.Combine(Path.GetTempPath(), "mw-cards-no-such-file.json"));
        Assert.Contains("does not exist", Assert.Throws<SamException>(() => missing.SamId).Message);
    }

    [Fact]
    public void Unknown_properties_are_ignored_and_system_identifier_is_configurable()
    {
        using var keys = TempKeyFile.Create("""
            { "comment": { "nested": [1, 2] }, "samId": "S1", "systemIdentifier": "CNOUS",
              "keys": [ { "technology": "desfire", "keyNumber": 1, "key": "00112233445566778899aabbccddeeff", "note": "x" } ] }
            """);
        var file = SamKeyFile.Load(keys.Path);
        Assert.Equal("S1", file.SamId);
        Assert.Equal("CNOUS"u8.ToArray(), file.SystemIdentifier);
        var entry = Assert.Single(file.Keys);
        Assert.Equal(new SamKeyReference(SamTechnology.Desfire, 1), entry.Reference);
        Assert.Equal(DesfireTestBed.Master, entry.Key);
        Assert.DoesNotContain("0011", entry.ToString());
        file.Dispose();
        Assert.Equal(new byte[16], entry.Key);
    }

    [Fact]
    public void AddSoftwareSam_binds_the_key_file_from_configuration()
    {
        using var keys = TempKeyFile.Create(DesfireTestBed.DefaultKeyFile());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Cards:SoftwareSam:KeyFile"] = keys.Path })
            .Build();
        var services = new ServiceCollection().AddLogging().AddSoftwareSam(configuration);
        using var provider = services.BuildServiceProvider();
        var sam = provider.GetRequiredService<ISam>();
        Assert.Equal(DesfireTestBed.SamId, sam.SamId);
        Assert.Same(sam, provider.GetRequiredService<ISam>());
    }

    private static readonly byte[] Ok = [0x91, 0x00];

    private static byte[] Apdu(byte ins, params byte[] data) =>
        data.Length == 0 ? [0x90, ins, 0, 0, 0] : [0x90, ins, 0, 0, (byte)data.Length, .. data, 0];
}

public sealed class CardKeyDiversificationTests
{
    [Fact]
    public void Derive_gives_the_project_vector_for_the_desfire_read_key() =>
        Assert.Equal(
            "4642F262A39C6422E33213820B72C5BD",
            Convert.ToHexString(CardKeyDiversification.Derive(DesfireTestBed.Master, SamTechnology.Desfire, SamDiversification.ForDesfire(DesfireTestBed.Uid, 0xF58540))));
}
