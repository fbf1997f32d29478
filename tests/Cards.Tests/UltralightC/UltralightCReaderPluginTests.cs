using Middleware.Contracts.Readers;
using Middleware.Plugins.UltralightC;
using Middleware.VirtualCards.UltralightC;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Middleware.Cards.Tests.UltralightC;

public sealed class UltralightCReaderPluginTests
{
    // APDU order of a read: 1 GET DATA, 2 start session, 3 1A, 4 AF, 5 READ 4, 6 READ 8, 7 end session.
    private const int Challenge = 3;
    private const int Proof = 4;
    private const int ReadPage4 = 5;
    private const int ReadPage8 = 6;

    private static readonly byte[] UltralightCAtr = Convert.FromHexString("3B8F8001804F0CA0000003060300" + "3A0000000051");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reads_the_zdc_in_one_transparent_session(bool acsObjects)
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var card = UltralightCTestBed.Card(acs: acsObjects);
        var scripted = new ScriptedCard(UltralightCTestBed.Reader, card, null, null);

        var identity = await bed.Plugin.ReadAsync(scripted, CancellationToken.None);

        Assert.Equal("36000042", identity.IdSupport);
        Assert.Equal("04A1B2C3D4E5F6", identity.NumeroApplicatif);
        Assert.Equal(CardTechnology.UltralightC, identity.Technology);
        Assert.Equal(UltralightCTestBed.Reader, identity.ReaderName);
        Assert.Equal(UltralightCTestBed.SamId, identity.SamId);
        Assert.True(identity.Authenticated);
        Assert.Equal(5, identity.IssuerCrous);
        Assert.Equal(new DateOnly(2024, 9, 2), identity.CreationDate);
        Assert.Equal(1, card.SessionsStarted);
        Assert.Equal(4, card.NativeFrames);
        Assert.Equal(
            new[] { "FFCA000000", "FFC20000028100", "FFC200010495021A00", "FFC2000113951", "FFC20001049502" + "3004", "FFC20001049502" + "3008", "FFC20000028200" },
            scripted.Apdus.Select((a, i) => i == 3 ? Convert.ToHexString(a)[..13] : Convert.ToHexString(a)));
        Assert.DoesNotContain(bed.Context.Log.Lines, l => l.Contains("36000042", StringComparison.Ordinal));
    }

    [Fact]
    public void The_virtual_card_atr_is_the_part3_pseudo_atr_of_an_ultralight_c()
    {
        Assert.Equal(UltralightCAtr, UltralightCTestBed.Card().Atr.ToArray());
    }

    [Theory]
    [InlineData("3B8F8001804F0CA0000003060300" + "3A0000000051", true)]
    [InlineData("3B8F8001804F0CA0000003060300" + "3A0000000050", false)] // wrong check byte
    [InlineData("3B8F8001804F0CA0000003060300" + "0100000000" + "6A", false)] // MIFARE Classic 1K
    [InlineData("3B8180018080", false)] // DESFire
    [InlineData("", false)]
    public async Task Claims_the_part3_card_name_003A_exactly(string atrHex, bool claimed)
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var claim = bed.Plugin.Claim(new PresentedCard(UltralightCTestBed.Reader, Convert.FromHexString(atrHex)));
        Assert.Equal(claimed ? CardClaim.Exact : null, claim);
    }

    [Fact]
    public async Task Atr_patterns_replace_the_card_name()
    {
        await using var bed = await UltralightCTestBed.StartAsync("""{ "atrPatterns": ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 99 *"] }""");
        Assert.Null(bed.Plugin.Claim(new PresentedCard(UltralightCTestBed.Reader, UltralightCAtr)));
        Assert.Equal(CardClaim.Exact, bed.Plugin.Claim(new PresentedCard(UltralightCTestBed.Reader, Convert.FromHexString("3B8F8001804F0CA00000030603009900000000AA"))));
    }

    [Fact]
    public async Task Wrong_key_is_an_authentication_failure_naming_the_step()
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card(UltralightCFault.WrongKey)));
        Assert.Equal(CardReadError.AuthenticationFailed, ex.Error);
        Assert.Contains("AUTHENTICATE (AF", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NAK 0x0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_card_whose_proof_does_not_return_RndA_fails_authentication()
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card(UltralightCFault.WrongProof)));
        Assert.Equal(CardReadError.AuthenticationFailed, ex.Error);
    }

    [Theory]
    [InlineData(UltralightCFault.CorruptedCheckByte, "check byte")]
    [InlineData(UltralightCFault.ImpossibleDate, "date")]
    public async Task A_bad_record_is_an_invalid_zdc(UltralightCFault fault, string field)
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card(fault)));
        Assert.Equal(CardReadError.InvalidZdc, ex.Error);
        Assert.Contains(field, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bytes_after_the_record_must_be_zero()
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(
            UltralightCTestBed.Card(), (n, answer) => n == ReadPage8 ? Replace(answer, 0x97, 16, Enumerable.Repeat((byte)0x11, 16).ToArray()) : null));
        Assert.True(ex.Error == CardReadError.InvalidZdc, ex.Message);
        Assert.Contains("byte 29", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nak_on_a_read_names_the_page()
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card(UltralightCFault.NakOnRead)));
        Assert.Equal(CardReadError.CardError, ex.Error);
        Assert.Contains("READ page 8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NAK 0x0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Challenge, new byte[] { 0x04 }, "AUTHENTICATE (1A): the card answered NAK 0x4")]
    [InlineData(Challenge, new byte[] { 0xAF, 1, 2, 3 }, "AUTHENTICATE (1A): the card's answer is 4 bytes, 9 expected")]
    [InlineData(Challenge, new byte[] { 0xAE, 1, 2, 3, 4, 5, 6, 7, 8 }, "AUTHENTICATE (1A): the card's answer starts with AE, AF expected")]
    [InlineData(Challenge, new byte[0], "AUTHENTICATE (1A): the card's answer is 0 bytes")]
    [InlineData(Challenge, new byte[] { 0x0A }, "AUTHENTICATE (1A): the card's answer is 1 bytes")]
    [InlineData(Proof, new byte[] { 0x00, 1, 2 }, "AUTHENTICATE (AF, second step): the card's answer is 3 bytes")]
    [InlineData(ReadPage4, new byte[] { 0x01 }, "READ page 4: the card answered NAK 0x1")]
    [InlineData(ReadPage4, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, "READ page 4: the card's answer is 15 bytes, 16 expected")]
    [InlineData(ReadPage8, new byte[] { 0x05 }, "READ page 8: the card answered NAK 0x5")]
    public async Task Every_bad_card_answer_is_a_card_error_naming_the_step(int apdu, byte[] cardAnswer, string message)
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(
            UltralightCTestBed.Card(), (n, answer) => n == apdu ? [0xC0, 0x03, 0x00, 0x90, 0x00, 0x97, (byte)cardAnswer.Length, .. cardAnswer, 0x90, 0x00] : null));
        Assert.Equal(CardReadError.CardError, ex.Error);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "9000", "GET DATA (UID): 0 bytes")]
    [InlineData(1, "01020304" + "9000", "the UID is 4 bytes, an Ultralight C has 7")]
    [InlineData(2, "6A81", "start transparent session: the card answered status 6A81")]
    [InlineData(2, "C0036400" + "01" + "9000", "start transparent session: the reader reports status 640001")]
    [InlineData(Challenge, "C003009000" + "9000", "no card response (tag 97)")]
    [InlineData(Challenge, "C003009000" + "9709AF01" + "9000", "TLV object 97 claims 9 bytes, 2 are left")]
    [InlineData(ReadPage4, "C0" + "9000", "a TLV object is cut short")]
    [InlineData(ReadPage4, "90", "answered 1 byte(s)")]
    public async Task Every_bad_reader_answer_is_a_clear_error(int apdu, string readerAnswerHex, string message)
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(
            UltralightCTestBed.Card(), (n, answer) => n == apdu ? Convert.FromHexString(readerAnswerHex) : null));
        Assert.Equal(CardReadError.CardError, ex.Error);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_answer_of_any_length_gives_a_card_read_exception()
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var random = new Random(14);
        for (var i = 0; i < 3000; i++)
        {
            var apdu = random.Next(1, 8);
            var junk = new byte[random.Next(0, 40)];
            random.NextBytes(junk);
            if (random.Next(2) == 0)
            {
                // Well-formed TLVs around a random card answer reach the card-level checks.
                junk = [0xC0, 0x03, 0x00, 0x90, 0x00, 0x97, (byte)junk.Length, .. junk, 0x90, 0x00];
            }

            try
            {
                await bed.ReadAsync(UltralightCTestBed.Card(), (n, answer) => n == apdu ? junk : null);
            }
            catch (CardReadException)
            {
                // Expected (or no error at all when the junk lands on the end of the session).
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(ReadPage8)]
    public async Task Removal_mid_read_is_card_removed(int apdu)
    {
        await using var bed = await UltralightCTestBed.StartAsync();
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card(), removeAt: apdu));
        Assert.Equal(CardReadError.CardRemoved, ex.Error);
    }

    [Fact]
    public async Task A_late_error_answer_after_the_read_budget_is_a_timeout()
    {
        await using var bed = await UltralightCTestBed.StartAsync("""{ "readTimeoutMs": 500 }""");
        var time = (FakeTimeProvider)bed.Context.Time;

        // The driver gives up on a mute card after the budget and answers 6F 00.
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card(), (n, answer) =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return [0x6F, 0x00];
        }));
        Assert.Equal(CardReadError.Timeout, ex.Error);
    }

    [Fact]
    public async Task Without_a_sam_the_read_is_a_sam_error()
    {
        await using var bed = await UltralightCTestBed.StartAsync(withSam: false);
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card()));
        Assert.Equal(CardReadError.SamError, ex.Error);
    }

    [Fact]
    public async Task A_missing_sam_key_is_a_sam_error()
    {
        await using var bed = await UltralightCTestBed.StartAsync("""{ "samKeyNumber": 7 }""");
        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(UltralightCTestBed.Card()));
        Assert.Equal(CardReadError.SamError, ex.Error);
    }

    [Theory]
    [InlineData("""{ "samKeyNumber": 256 }""", "samKeyNumber")]
    [InlineData("""{ "passThrough": "escape" }""", "passThrough")]
    [InlineData("""{ "readerPassThrough": { "ACS": "raw" } }""", "readerPassThrough['ACS']")]
    [InlineData("""{ "readerPassThrough": { " ": "pcsc-transparent" } }""", "empty reader name")]
    [InlineData("""{ "atrPatterns": ["3B ZZ"] }""", "")]
    public async Task Bad_settings_refuse_the_start_naming_the_setting(string settings, string named)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => UltralightCTestBed.StartAsync(settings));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_reader_pass_through_is_accepted_and_used()
    {
        await using var bed = await UltralightCTestBed.StartAsync("""{ "passThrough": "pcsc-transparent", "readerPassThrough": { "ACR1252": "pcsc-transparent" } }""");
        Assert.Equal("36000042", (await bed.ReadAsync(UltralightCTestBed.Card())).IdSupport);
    }

    private static byte[] Replace(byte[] readerAnswer, byte tag, int length, byte[] value)
    {
        var i = Array.IndexOf(readerAnswer, tag);
        Assert.Equal(length, readerAnswer[i + 1]);
        var copy = readerAnswer.ToArray();
        value.CopyTo(copy, i + 2);
        return copy;
    }
}
