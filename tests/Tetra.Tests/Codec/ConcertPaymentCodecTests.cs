using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra.Codec;

namespace Middleware.Tetra.Tests.Codec;

public sealed class ConcertPaymentCodecTests
{
    private static readonly ConcertPaymentRequest Debit = new(1, 1234, ConcertTransactionType.Debit, "SALE000042", FullAnswer: false);
    private static readonly string Report = "CB 4970100000000003 1227 AUTO 123456".PadRight(55);

    [Fact]
    public void A_debit_request_has_its_34_characters_in_order()
    {
        var request = ConcertPaymentCodec.EncodeRequest(Debit);

        Assert.Equal(34, request.Length);
        // till 01, amount 00001234, answer flag 0, mode 1 (card), type 0 (debit), currency 978, private data, delay, authorisation
        Assert.Equal("01" + "00001234" + "0" + "1" + "0" + "978" + "SALE000042" + "A010" + "B010", request);
    }

    [Fact]
    public void A_credit_with_a_full_answer_sets_type_1_and_flag_1() =>
        Assert.Equal("99" + "99999999" + "1" + "1" + "1" + "978" + "REFUND 007" + "A010" + "B010",
            ConcertPaymentCodec.EncodeRequest(new ConcertPaymentRequest(99, 99_999_999, ConcertTransactionType.Credit, "REFUND 007", FullAnswer: true)));

    [Theory]
    [InlineData(-1, 100, "ABCDEFGHIJ")]
    [InlineData(100, 100, "ABCDEFGHIJ")]
    [InlineData(1, 0, "ABCDEFGHIJ")]
    [InlineData(1, 100_000_000, "ABCDEFGHIJ")]
    public void A_request_out_of_its_digits_is_refused(int till, long cents, string privateData) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcertPaymentCodec.EncodeRequest(new ConcertPaymentRequest(till, cents, ConcertTransactionType.Debit, privateData, false)));

    [Theory]
    [InlineData("SHORT")]
    [InlineData("ELEVEN CHAR")]
    [InlineData("TEN\u0001CHARS")]
    [InlineData("DIX CARACÈ")]
    public void Private_data_is_ten_printable_ascii_characters(string privateData) =>
        Assert.Throws<ArgumentException>(() => ConcertPaymentCodec.EncodeRequest(Debit with { PrivateData = privateData }));

    [Theory]
    [InlineData("S-2026-000123", "2026000123")]
    [InlineData("abc", "abc       ")]
    [InlineData("", "          ")]
    [InlineData("vente n°12 é", "venten12  ")]
    public void The_private_data_of_a_reference_keeps_its_last_ten_letters_and_digits(string reference, string expected) =>
        Assert.Equal(expected, ConcertPaymentCodec.PrivateDataFor(reference));

    [Theory]
    [InlineData('0', TerminalPaymentOutcome.Accepted)]
    [InlineData('7', TerminalPaymentOutcome.Refused)]
    [InlineData('9', TerminalPaymentOutcome.NotCompleted)]
    public void A_short_answer_gives_its_outcome(char result, TerminalPaymentOutcome outcome)
    {
        var answer = ConcertPaymentCodec.DecodeAnswer($"01{result}000012341978SALE000042", Debit, "t");

        Assert.Equal(outcome, answer.Outcome);
        Assert.Equal(1234, answer.AmountCents);
        Assert.Equal('1', answer.Mode);
        Assert.Null(answer.Report);
    }

    [Fact]
    public void A_full_answer_of_80_characters_carries_the_report_with_the_card_number_masked()
    {
        var text = "010000012341" + Report + "978SALE000042";
        Assert.Equal(80, text.Length);

        var answer = ConcertPaymentCodec.DecodeAnswer(text, Debit with { FullAnswer = true }, "t");

        Assert.Equal(TerminalPaymentOutcome.Accepted, answer.Outcome);
        Assert.Equal("CB ************0003 1227 AUTO 123456", answer.Report);
    }

    [Theory]
    [InlineData("CB 4970 1012 3456 7890 1227 AUTO 1", "CB **** **** **** 7890 1227 AUTO 1")]
    [InlineData("CB 4970-1012-3456-7890 AUTO 123456", "CB ****-****-****-7890 AUTO 123456")]
    [InlineData("PAN 497010123456 EXP 1227", "PAN ********3456 EXP 1227")]
    public void Card_numbers_grouped_or_not_are_masked_to_their_last_four_digits(string report, string masked)
    {
        var text = "010000012341" + report.PadRight(55) + "978SALE000042";

        Assert.Equal(masked, ConcertPaymentCodec.DecodeAnswer(text, Debit with { FullAnswer = true }, "t").Report);
    }

    [Fact]
    public void A_blank_report_is_none() =>
        Assert.Null(ConcertPaymentCodec.DecodeAnswer("010000012341" + new string(' ', 55) + "978SALE000042", Debit, "t").Report);

    [Fact]
    public void A_refusal_or_a_payment_not_completed_may_report_another_amount() =>
        Assert.Equal(0, ConcertPaymentCodec.DecodeAnswer("019000000001978SALE000042", Debit, "t").AmountCents);

    [Theory]
    [InlineData("", "has 0 characters")]
    [InlineData("01000001234197SALE000042", "has 24 characters")]
    [InlineData("01000001234197888SALE000042", "has 27 characters")]
    [InlineData("020000012341978SALE000042", "is for till '02'")]
    [InlineData("0A0000012341978SALE000042", "is for till '0A'")]
    [InlineData("011000012341978SALE000042", "unknown result '1'")]
    [InlineData("01\u0001000012341978SALE000042", "unknown result '?'")]
    [InlineData("01000001 341978SALE000042", "amount that is not 8 digits")]
    [InlineData("010000012351978SALE000042", "accepts 1235 cents where 1234 were asked")]
    [InlineData("01000001234X978SALE000042", "payment mode that is not a digit")]
    [InlineData("010000012341840SALE000042", "currency '840'")]
    [InlineData("010000012341978SALE000043", "other private data")]
    public void A_bad_short_answer_is_a_terminal_error_naming_the_field(string answer, string expected)
    {
        var e = Assert.Throws<TerminalException>(() => ConcertPaymentCodec.DecodeAnswer(answer, Debit, "Tetra 1"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("Tetra 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_with_control_bytes_is_a_terminal_error()
    {
        var report = ("CB\u0003" + new string(' ', 60))[..55];
        var e = Assert.Throws<TerminalException>(() => ConcertPaymentCodec.DecodeAnswer("010000012341" + report + "978SALE000042", Debit, "t"));
        Assert.Contains("report that is not printable", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234567", "1234567")]
    [InlineData("12345678", "****5678")]
    [InlineData("PAN 4970100000000003 EXP 1227", "PAN ************0003 EXP 1227")]
    [InlineData("   ", null)]
    public void Reports_mask_every_long_digit_run(string report, string? expected) =>
        Assert.Equal(expected, ConcertPaymentCodec.MaskReport(report));

    [Theory]
    [InlineData("12.34", 1234)]
    [InlineData("0.01", 1)]
    [InlineData("999999.99", 99_999_999)]
    public void Euros_become_cents(string euros, long cents) =>
        Assert.Equal(cents, ConcertPaymentCodec.ToCents(decimal.Parse(euros, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("0.001")]
    [InlineData("1000000")]
    public void An_amount_the_request_cannot_carry_is_refused(string euros) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcertPaymentCodec.ToCents(decimal.Parse(euros, System.Globalization.CultureInfo.InvariantCulture)));
}
