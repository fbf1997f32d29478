using Xunit;
using Middleware.Cards.Tests.Zdc;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Calypso;
using Middleware.VirtualCards.Calypso;

namespace Middleware.Cards.Tests.Calypso;

/// <summary>The Calypso plugin's claim, settings and read sequence (cards.md §6) against virtual Calypso cards behind a
/// fake PC/SC connection: every answer a card may give, good or hostile.</summary>
public sealed class CalypsoReaderPluginTests
{
    private const string Select = "00A4040008315449432E49434100";
    private const string ReadRecord = "00B201D41D";
    private const string ReadRecordRev1 = "94B201D41D";

    private static byte[] Zdc => Convert.FromHexString(ZdcCodecTests.ExampleHex);

    private static FakeCalypsoConnection Card(CalypsoCardRevision revision = CalypsoCardRevision.Rev3, CalypsoCardFault fault = CalypsoCardFault.None) =>
        new(new VirtualCalypsoCard(Zdc, revision, fault));

    [Fact]
    public async Task Rev3_card_is_selected_then_read_and_reported_unauthenticated_without_sam()
    {
        await using var bed = await CalypsoTestBed.StartAsync();
        var card = Card();

        var identity = await bed.ReadAsync(card);

        Assert.Equal([Select, ReadRecord], card.Apdus);
        Assert.Equal("36000000", identity.IdSupport);
        Assert.Equal("04A1B2C3D4E5F6", identity.NumeroApplicatif);
        Assert.Equal(CardTechnology.Calypso, identity.Technology);
        Assert.False(identity.Authenticated);
        Assert.Null(identity.SamId);
        Assert.Equal(5, identity.IssuerCrous);
        Assert.Equal(new DateOnly(2024, 9, 2), identity.CreationDate);
        Assert.Contains(bed.Context.Log.Lines, l => l.Contains("****0000", StringComparison.Ordinal) && l.Contains("unauthenticated", StringComparison.Ordinal));
        Assert.DoesNotContain(bed.Context.Log.Lines, l => l.Contains("36000000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("6E00")]
    [InlineData("6D00")]
    public async Task Select_refused_falls_back_to_the_rev1_read(string refusal)
    {
        await using var bed = await CalypsoTestBed.StartAsync();
        var card = Card(CalypsoCardRevision.Rev1);
        card.Answers[0xA4] = Convert.FromHexString(refusal);

        var identity = await bed.ReadAsync(card);

        Assert.Equal([Select, ReadRecordRev1], card.Apdus);
        Assert.Equal("36000000", identity.IdSupport);
        Assert.False(identity.Authenticated);
    }

    [Fact]
    public async Task Rev1_atr_from_settings_reads_with_cla_94_without_select()
    {
        await using var bed = await CalypsoTestBed.StartAsync("""{ "rev1AtrPatterns": ["3B 8F 80 01 80 5A 0A 00 *"] }""");
        var card = new FakeCalypsoConnection(new VirtualCalypsoCard(Zdc, CalypsoCardRevision.Rev1))
        {
            Atr = Convert.FromHexString("3B8F8001805A0A00000000000000000000000000"),
        };

        var identity = await bed.ReadAsync(card);

        Assert.Equal([ReadRecordRev1], card.Apdus);
        Assert.Equal("36000000", identity.IdSupport);
    }

    [Theory]
    [InlineData("3B 8F 80 01 80 5A 0A 01 03 20 03 11 C0 FF EE 00 82 90 00 2D", true)] // Calypso over Innovatron B'
    [InlineData("3B 88 80 01 00 00 00 00 33 81 81 00 3A", true)]                       // ISO 14443-4 Type B
    // Published ATRs of real Calypso cards over B': a French city transport card listed by pcsc-tools' ATR list, and
    // the Rev1 card of the Calypso reference middleware's (Eclipse Keyple) examples.
    [InlineData("3B 8F 80 01 80 5A 08 03 03 00 00 00 01 52 43 21 82 90 00 FF", true)]
    [InlineData("3B 8F 80 01 80 5A 08 03 04 00 02 00 21 72 90 FF 82 90 00 F3", true)]
    [InlineData("3B 81 80 01 80 80", false)]                                           // DESFire EV1
    [InlineData("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A", false)] // PC/SC Part 3 storage card (Classic 1K)
    [InlineData("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 3A 00 00 00 00 51", false)] // Part 3 Ultralight C
    [InlineData("3B 88 80 01 00", false)]                                              // truncated
    [InlineData("", false)]
    public async Task Claims_calypso_atrs_only(string atr, bool claimed)
    {
        await using var bed = await CalypsoTestBed.StartAsync();

        Assert.Equal(claimed ? CardClaim.Likely : null, bed.Claim(atr));
    }

    [Fact]
    public async Task Rev1_patterns_alone_are_claimed_too()
    {
        await using var bed = await CalypsoTestBed.StartAsync("""{ "atrPatterns": [], "rev1AtrPatterns": ["3B 8E 80 01 *"] }""");

        Assert.Equal(CardClaim.Likely, bed.Claim("3B 8E 80 01 01 02"));
        Assert.Null(bed.Claim("3B 8F 80 01 80 5A 0A 01 03 20 03 11 C0 FF EE 00 82 90 00 2D"));
    }

    [Theory]
    [InlineData("""{ "applicationId": "31544943" }""", "applicationId")]
    [InlineData("""{ "applicationId": "315449432E49434G" }""", "applicationId")]
    [InlineData("""{ "applicationId": "315449432E4943410" }""", "applicationId")]
    [InlineData("""{ "sfi": 0 }""", "sfi")]
    [InlineData("""{ "sfi": 31 }""", "sfi")]
    [InlineData("""{ "recordNumber": 0 }""", "recordNumber")]
    [InlineData("""{ "recordNumber": 256 }""", "recordNumber")]
    [InlineData("""{ "atrPatterns": ["3B XX"] }""", "atrPatterns")]
    [InlineData("""{ "rev1AtrPatterns": ["3B 8F 80 01 GG"] }""", "rev1AtrPatterns")]
    [InlineData("""{ "atrPatterns": [], "rev1AtrPatterns": [] }""", "atrPatterns")]
    public async Task Bad_settings_fail_the_start_naming_the_setting(string settings, string name)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => CalypsoTestBed.StartAsync(settings));

        Assert.Contains("Setting " + name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_sfi_and_record_from_settings_are_read()
    {
        await using var bed = await CalypsoTestBed.StartAsync("""{ "sfi": 7, "recordNumber": 2 }""");
        var card = Card();
        card.Answers[0xB2] = [.. Zdc, 0x90, 0x00];

        await bed.ReadAsync(card);

        Assert.Equal("00B2023C1D", card.Apdus[1]);
    }

    [Theory]
    [InlineData(CalypsoCardFault.CorruptedCheckByte, CardReadError.InvalidZdc, "checkByte")]
    [InlineData(CalypsoCardFault.ImpossibleDate, CardReadError.InvalidZdc, "zdcCreationDate")]
    [InlineData(CalypsoCardFault.RecordNotFound, CardReadError.NotAnIzlyCard, "6A 83")]
    [InlineData(CalypsoCardFault.RemovedMidRead, CardReadError.CardRemoved, "left the reader")]
    public async Task Faulty_cards_give_the_named_error(CalypsoCardFault fault, CardReadError error, string detail)
    {
        await using var bed = await CalypsoTestBed.StartAsync();

        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(Card(fault: fault)));

        Assert.Equal(error, ex.Error);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0xA4, "", CardReadError.CardError, "SELECT: the card's answer is 0 byte(s)")]
    [InlineData(0xA4, "90", CardReadError.CardError, "SELECT: the card's answer is 1 byte(s)")]
    [InlineData(0xA4, "6A82", CardReadError.NotAnIzlyCard, "6A 82")]
    [InlineData(0xA4, "6985", CardReadError.CardError, "SELECT: unexpected status word 69 85")]
    [InlineData(0xB2, "", CardReadError.CardError, "READ RECORD: the card's answer is 0 byte(s)")]
    [InlineData(0xB2, "9000", CardReadError.InvalidZdc, "READ RECORD: the record is 0 bytes")]
    [InlineData(0xB2, "01D10300009000", CardReadError.InvalidZdc, "READ RECORD: the record is 5 bytes")]
    [InlineData(0xB2, "6A82", CardReadError.NotAnIzlyCard, "SFI 1A")]
    [InlineData(0xB2, "6982", CardReadError.CardError, "secure session")]
    [InlineData(0xB2, "6E00", CardReadError.NotAnIzlyCard, "does not speak Calypso")]
    [InlineData(0xB2, "6C1D", CardReadError.CardError, "READ RECORD: unexpected status word 6C 1D")]
    public async Task Hostile_answers_give_a_clear_error_naming_the_step(byte ins, string answer, CardReadError error, string detail)
    {
        await using var bed = await CalypsoTestBed.StartAsync();
        var card = Card();
        card.Answers[ins] = Convert.FromHexString(answer);

        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(card));

        Assert.Equal(error, ex.Error);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_of_any_length_gives_a_card_read_error_never_an_index_error()
    {
        await using var bed = await CalypsoTestBed.StartAsync();
        for (var length = 0; length <= 300; length++)
        {
            var card = Card();
            var data = new byte[length];
            Random.Shared.NextBytes(data);
            card.Answers[0xB2] = [.. data, 0x90, 0x00];

            var ex = await Record.ExceptionAsync(() => bed.ReadAsync(card));

            Assert.True(ex is CardReadException, $"length {length}: {ex?.GetType().Name}");
        }
    }

    [Fact]
    public async Task Rev1_fallback_on_a_card_without_the_record_is_not_an_izly_card()
    {
        await using var bed = await CalypsoTestBed.StartAsync();
        var card = Card(CalypsoCardRevision.Rev1, CalypsoCardFault.RecordNotFound);

        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(card));

        Assert.Equal(CardReadError.NotAnIzlyCard, ex.Error);
        Assert.Equal([Select, ReadRecordRev1], card.Apdus);
        Assert.Contains("READ RECORD (CLA 94)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mute_card_times_out_on_the_plugin_clock()
    {
        await using var bed = await CalypsoTestBed.StartAsync("""{ "readTimeoutMs": 800 }""");
        var card = new FakeCalypsoConnection(new VirtualCalypsoCard(Zdc)) { Mute = true };

        var read = bed.ReadAsync(card);
        Assert.False(read.IsCompleted);
        bed.Time.Advance(TimeSpan.FromMilliseconds(800));
        var ex = await Assert.ThrowsAsync<CardReadException>(() => read);

        Assert.Equal(CardReadError.Timeout, ex.Error);
    }

    [Fact]
    public async Task An_answer_arriving_after_the_budget_is_a_timeout_not_a_card_error()
    {
        await using var bed = await CalypsoTestBed.StartAsync("""{ "readTimeoutMs": 800 }""");
        var card = new FakeCalypsoConnection(new VirtualCalypsoCard(Zdc)) { AnswerLate = () => bed.Time.Advance(TimeSpan.FromMilliseconds(800)) };
        card.Answers[0xA4] = [0x6F, 0x00];

        var ex = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync(card));

        Assert.Equal(CardReadError.Timeout, ex.Error);
    }
}
