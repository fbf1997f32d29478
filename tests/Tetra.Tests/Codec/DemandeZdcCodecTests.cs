using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra.Codec;

namespace Middleware.Tetra.Tests.Codec;

public sealed class DemandeZdcCodecTests
{
    private const string Sam = "0123456789ABCDEF";
    private const string Application = "04A1B2C3D4E5F6";
    private const string Zeros = "000000000000000000000000000000000000000000000";

    [Theory]
    [InlineData(1, 30_000, "ZDC?01030")]
    [InlineData(0, 1_000, "ZDC?00001")]
    [InlineData(99, 999_000, "ZDC?99999")]
    [InlineData(7, 1, "ZDC?07001")]       // 1 ms: the terminal waits at least a second
    [InlineData(12, 2_500, "ZDC?12003")]  // rounded up: the customer never gets less than asked
    public void The_request_is_ZDC_till_and_seconds(int till, int timeoutMs, string expected) =>
        Assert.Equal(expected, DemandeZdcCodec.EncodeRequest(till, TimeSpan.FromMilliseconds(timeoutMs)));

    [Theory]
    [InlineData(-1, 1_000)]
    [InlineData(100, 1_000)]
    [InlineData(1, 1_000_000)]
    [InlineData(1, 0)]
    [InlineData(1, -5)]
    public void A_till_or_timeout_out_of_its_digits_is_refused(int till, int timeoutMs) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DemandeZdcCodec.EncodeRequest(till, TimeSpan.FromMilliseconds(timeoutMs)));

    [Fact]
    public void The_documented_answer_gives_every_field()
    {
        var card = DemandeZdcCodec.DecodeAnswer("ZDC=00123456789ABCDEF04A1B2C3D4E5F6000000036000000", "Tetra 1");

        Assert.Equal("36000000", card.IdSupport);
        Assert.Equal(Application, card.NumeroApplicatif);
        Assert.Equal(Sam, card.SamId);
        Assert.Equal(CardTechnology.Tetra, card.Technology);
        Assert.Equal("Tetra 1", card.ReaderName);
        Assert.True(card.Authenticated);
        Assert.Null(card.IssuerCrous);
        Assert.Null(card.CreationDate);
    }

    [Fact]
    public void A_fifteen_digit_card_number_keeps_every_digit() =>
        Assert.Equal("999999999999999", DemandeZdcCodec.DecodeAnswer($"ZDC=0{Sam}{Application}999999999999999", "t").IdSupport);

    [Theory]
    [InlineData('1', CardReadError.Timeout, "no card")]
    [InlineData('2', CardReadError.NotAnIzlyCard, "not an Izly card")]
    [InlineData('3', CardReadError.SamError, "SAM")]
    public void Results_1_to_3_are_card_read_errors(char result, CardReadError error, string detail)
    {
        var e = Assert.Throws<CardReadException>(() => DemandeZdcCodec.DecodeAnswer($"ZDC={result}{Zeros}", "Tetra 1"));

        Assert.Equal(error, e.Error);
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
        Assert.Contains("Tetra 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_result_with_fields_that_are_not_zeros_is_a_terminal_error()
    {
        var e = Assert.Throws<TerminalException>(() => DemandeZdcCodec.DecodeAnswer($"ZDC=1{Sam}{Application}000000036000000", "t"));
        Assert.Contains("not all zeros", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('4')]
    [InlineData('9')]
    [InlineData('A')]
    [InlineData(' ')]
    public void An_unknown_result_is_a_terminal_error(char result)
    {
        var e = Assert.Throws<TerminalException>(() => DemandeZdcCodec.DecodeAnswer($"ZDC={result}{Zeros}", "t"));
        Assert.Contains("unknown result", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ZDC=")]
    [InlineData("ZDC=00123456789ABCDEF04A1B2C3D4E5F600000003600000")]    // 49
    [InlineData("ZDC=00123456789ABCDEF04A1B2C3D4E5F60000000360000000")]  // 51
    public void A_wrong_length_is_a_terminal_error_that_says_so(string answer)
    {
        var e = Assert.Throws<TerminalException>(() => DemandeZdcCodec.DecodeAnswer(answer, "t"));
        Assert.Contains($"has {answer.Length} characters, not 50", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ZDC?00123456789ABCDEF04A1B2C3D4E5F6000000036000000")]
    [InlineData("zdc=00123456789ABCDEF04A1B2C3D4E5F6000000036000000")]
    [InlineData("0100000123400978AB        A010B01000000000000000")]
    public void Another_message_is_a_terminal_error(string answer)
    {
        var padded = answer.PadRight(50, '0')[..50];
        var e = Assert.Throws<TerminalException>(() => DemandeZdcCodec.DecodeAnswer(padded, "t"));
        Assert.Contains("other than a DemandeZDC answer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef", "samId")]
    [InlineData("0123456789ABCDEG", "samId")]
    [InlineData("0123456789ABCDE ", "samId")]
    public void A_bad_sam_id_is_an_invalid_zdc_naming_it(string sam, string field) =>
        AssertInvalid($"ZDC=0{sam}{Application}000000036000000", field);

    [Theory]
    [InlineData("04a1b2c3d4e5f6")]
    [InlineData("04A1B2C3D4E5FZ")]
    [InlineData("-4A1B2C3D4E5F6")]
    public void A_bad_application_number_is_an_invalid_zdc_naming_it(string application) =>
        AssertInvalid($"ZDC=0{Sam}{application}000000036000000", "numeroApplicatif");

    [Theory]
    [InlineData("00000003600000A")]
    [InlineData("-00000036000000")]
    [InlineData("000000 36000000")]
    [InlineData("000000000000000")]
    [InlineData("00000003600000\u0660")]  // an Arabic-Indic zero is not an ASCII digit
    public void A_bad_card_number_is_an_invalid_zdc_naming_it(string idSupport) =>
        AssertInvalid($"ZDC=0{Sam}{Application}{idSupport}", "idSupport");

    [Fact]
    public void Errors_never_quote_the_card_number()
    {
        var e = Assert.Throws<CardReadException>(() => DemandeZdcCodec.DecodeAnswer($"ZDC=0{Sam}04a1b2c3d4e5f6000000036000000", "t"));
        Assert.DoesNotContain("36000000", e.Message, StringComparison.Ordinal);
    }

    private static void AssertInvalid(string answer, string field)
    {
        var e = Assert.Throws<CardReadException>(() => DemandeZdcCodec.DecodeAnswer(answer, "t"));
        Assert.Equal(CardReadError.InvalidZdc, e.Error);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }
}
