using Middleware.Contracts.Readers;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;
using Xunit;

namespace Middleware.Cards.Tests.Classic;

/// <summary>The read sequence of cards.md §4 and every error, behind the host's watcher on a fake PC/SC service.</summary>
public sealed class ClassicReaderPluginTests
{
    [Fact]
    public async Task Classic_1K_tap_reads_sector_1_and_reports_the_identity_then_the_removal()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(ClassicTestBed.Card());

        var tapped = await bed.Sink.NextAsync<CardTapped>();
        var identity = tapped.Card;
        Assert.Equal("36000042", identity.IdSupport);
        Assert.Equal("04A1B2C3D4E5F6", identity.NumeroApplicatif);
        Assert.Equal(CardTechnology.Classic1K, identity.Technology);
        Assert.Equal(ClassicTestBed.Reader, identity.ReaderName);
        Assert.Equal(ClassicTestBed.SamId, identity.SamId);
        Assert.True(identity.Authenticated);
        Assert.Equal(5, identity.IssuerCrous);
        Assert.Equal(new DateOnly(2024, 9, 2), identity.CreationDate);
        Assert.Equal(new[] { "FFCA", "FF82", "FF86:04", "FFB0:04", "FFB0:05" }, bed.Sequence());

        // LOAD KEY into volatile slot 0, key A of GENERAL AUTHENTICATE (60) from slot 0.
        var loadKey = bed.Pcsc.Apdus[1];
        Assert.Equal(new byte[] { 0xFF, 0x82, 0x00, 0x00, 0x06 }, loadKey[..5]);
        Assert.Equal(ClassicDiversification.KeyA(ClassicTestBed.ClassicMaster, ClassicTestBed.Uid7, 1), loadKey[5..]);
        Assert.Equal(new byte[] { 0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x04, 0x60, 0x00 }, bed.Pcsc.Apdus[2]);

        bed.Pcsc.Remove();
        Assert.Equal(ClassicTestBed.Reader, (await bed.Sink.NextAsync<CardRemoved>()).ReaderName);

        // Neither the full card number nor the key reaches the logs.
        var keyHex = Convert.ToHexString(loadKey[5..]);
        Assert.DoesNotContain(bed.Context.Log.Lines, l => l.Contains("36000042", StringComparison.Ordinal));
        Assert.DoesNotContain(bed.Context.Log.Lines, l => l.Contains(keyHex, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(bed.Context.Log.Lines, l => l.Contains("****0042", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Classic_4K_tap_reads_sector_32_blocks_128_and_129()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(ClassicTestBed.Card(ClassicCardSize.Classic4K));

        var identity = (await bed.Sink.NextAsync<CardTapped>()).Card;
        Assert.Equal(CardTechnology.Classic4K, identity.Technology);
        Assert.Equal("36000042", identity.IdSupport);
        Assert.Equal(new[] { "FFCA", "FF82", "FF86:80", "FFB0:80", "FFB0:81" }, bed.Sequence());
        Assert.Equal(ClassicDiversification.KeyA(ClassicTestBed.ClassicMaster, ClassicTestBed.Uid7, 32), bed.Pcsc.Apdus[1][5..]);
    }

    [Fact]
    public async Task Four_byte_uid_is_diversified_as_GET_DATA_returns_it()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(ClassicTestBed.Card(uid: ClassicTestBed.Uid4));

        Assert.Equal("36000042", (await bed.Sink.NextAsync<CardTapped>()).Card.IdSupport);
        Assert.Equal(ClassicDiversification.KeyA(ClassicTestBed.ClassicMaster, ClassicTestBed.Uid4, 1), bed.Pcsc.Apdus[1][5..]);
    }

    [Fact]
    public async Task Custom_layout_from_settings_is_read()
    {
        await using var bed = await ClassicTestBed.StartAsync("""{ "classic1K": { "sector": 2, "blocks": [9, 8], "atrPatterns": ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 *"] } }""");
        var card = new VirtualClassicCard(ClassicTestBed.Uid7, ClassicCardSize.Classic1K);
        var data = new byte[32];
        ClassicTestBed.Zdc.Encode().CopyTo(data, 0);
        card.WriteBlock(9, data.AsSpan(0, 16));
        card.WriteBlock(8, data.AsSpan(16, 16));
        card.SetSectorKeys(2, ClassicDiversification.KeyA(ClassicTestBed.ClassicMaster, ClassicTestBed.Uid7, 2), new byte[6]);
        bed.Pcsc.Insert(card);

        Assert.Equal("36000042", (await bed.Sink.NextAsync<CardTapped>()).Card.IdSupport);
        Assert.Equal(new[] { "FFCA", "FF82", "FF86:09", "FFB0:09", "FFB0:08" }, bed.Sequence());
    }

    [Fact]
    public async Task Wrong_key_is_an_authentication_failure_naming_the_sector()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(ClassicTestBed.Card(faults: new ClassicCardFaults(WrongKey: true)));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.AuthenticationFailed, failed.Error);
        Assert.Contains("refused key A of sector 1", failed.Detail);
        Assert.Contains("63 00", failed.Detail);
        Assert.DoesNotContain(bed.Sequence(), s => s.StartsWith("FFB0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refused_read_access_is_a_card_error_naming_the_block_not_a_wrong_key()
    {
        await using var bed = await ClassicTestBed.StartAsync();

        // A reader that says 90 00 to GENERAL AUTHENTICATE without authenticating: the card then refuses READ BINARY.
        bed.Pcsc.Insert(new InterceptedCard(ClassicTestBed.Card(), a => a[1] == 0x86 ? [0x90, 0x00] : null));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardError, failed.Error);
        Assert.Contains("block 4", failed.Detail);
        Assert.Contains("access refused", failed.Detail);
        Assert.Contains("69 82", failed.Detail);
    }

    [Fact]
    public async Task Corrupted_check_byte_is_an_invalid_zdc()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(ClassicTestBed.Card(faults: new ClassicCardFaults(CorruptCheckByte: true)));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.InvalidZdc, failed.Error);
        Assert.Contains("checkByte", failed.Detail);
    }

    [Fact]
    public async Task Impossible_bcd_date_is_an_invalid_zdc()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        bed.Pcsc.Insert(ClassicTestBed.Card(ClassicCardSize.Classic4K, faults: new ClassicCardFaults(ImpossibleDate: true)));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.InvalidZdc, failed.Error);
        Assert.Contains("zdcCreationDate", failed.Detail);
    }

    [Fact]
    public async Task Non_zero_padding_after_the_record_is_an_invalid_zdc()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        var card = ClassicTestBed.Card();
        bed.Pcsc.Insert(new InterceptedCard(card, a => a[1] == 0xB0 && a[3] == 5 ? Tamper(card.Transmit(a)) : null));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.InvalidZdc, failed.Error);
        Assert.Contains("padding", failed.Detail);

        static byte[] Tamper(byte[] answer)
        {
            answer[15] = 0x01;
            return answer;
        }
    }

    [Fact]
    public async Task Card_removed_during_the_read_then_the_next_tap_works()
    {
        await using var bed = await ClassicTestBed.StartAsync();
        var leaving = ClassicTestBed.Card(faults: new ClassicCardFaults(LeavesDuringRead: true));
        bed.Pcsc.Insert(leaving, a => leaving.LeavesFieldBefore(a));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardRemoved, failed.Error);
        Assert.Equal(new[] { "FFCA", "FF82", "FF86:04", "FFB0:04" }, bed.Sequence());
        Assert.Equal(ClassicTestBed.Reader, (await bed.Sink.NextAsync<CardRemoved>()).ReaderName);

        bed.Pcsc.Insert(ClassicTestBed.Card());
        Assert.Equal("36000042", (await bed.Sink.NextAsync<CardTapped>()).Card.IdSupport);
    }

    [Fact]
    public async Task Host_without_a_sam_refuses_with_a_sam_error()
    {
        await using var bed = await ClassicTestBed.StartAsync(withSam: false);
        bed.Pcsc.Insert(ClassicTestBed.Card());

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.SamError, failed.Error);
        Assert.Empty(bed.Sequence());
    }

    [Fact]
    public async Task Sam_key_that_may_not_be_exported_is_a_sam_error_and_no_key_is_loaded()
    {
        var keys = DemoSamKeys.KeyFileJson().Replace("\"exportable\": true", "\"exportable\": false", StringComparison.Ordinal);
        await using var bed = await ClassicTestBed.StartAsync(keyFile: keys);
        bed.Pcsc.Insert(ClassicTestBed.Card());

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.SamError, failed.Error);
        Assert.Equal(new[] { "FFCA" }, bed.Sequence());
    }

    [Fact]
    public async Task Answer_arriving_after_the_read_timeout_is_a_timeout_not_a_card_error()
    {
        await using var bed = await ClassicTestBed.StartAsync("""{ "readTimeoutMs": 2000 }""");

        // A silent card: the driver gives up after the read's deadline and answers 6F 00 (as pcscd with vpcd does).
        bed.Pcsc.Insert(new InterceptedCard(ClassicTestBed.Card(), a =>
        {
            if (a[1] != 0xCA)
            {
                return null;
            }

            bed.Time.Advance(TimeSpan.FromMilliseconds(2300));
            return [0x6F, 0x00];
        }));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.Timeout, failed.Error);
        Assert.Equal(new[] { "FFCA" }, bed.Sequence());
    }

    public static TheoryData<byte, string, string> HostileAnswers => new()
    {
        // Instruction answered, the answer (hex), what the message must name.
        { 0xCA, "", "GET DATA (UID): the answer is 0 byte" },
        { 0xCA, "90", "GET DATA (UID): the answer is 1 byte" },
        { 0xCA, "6A81", "GET DATA (UID): unexpected status 6A81" },
        { 0xCA, "0102030405" + "9000", "GET DATA (UID): 5 bytes" },
        { 0xCA, "01020304050607080910" + "9000", "GET DATA (UID): 10 bytes" },
        { 0xCA, "9000", "GET DATA (UID): 0 bytes" },
        { 0x82, "6300", "LOAD KEY" },
        { 0x82, "", "LOAD KEY" },
        { 0x86, "", "GENERAL AUTHENTICATE of block 4: the answer is 0 byte" },
        { 0x86, "6A82", "GENERAL AUTHENTICATE of block 4 (sector 1): unexpected status 6A82" },
        { 0xB0, "9000", "READ BINARY of block 4: 0 data bytes, 16 expected" },
        { 0xB0, "000102030405060708090A0B0C0D0E" + "9000", "READ BINARY of block 4: 15 data bytes" },
        { 0xB0, "000102030405060708090A0B0C0D0E0F10" + "9000", "READ BINARY of block 4: 17 data bytes" },
        { 0xB0, "6C10", "READ BINARY of block 4: unexpected status 6C10" },
        { 0xB0, "00", "READ BINARY of block 4: the answer is 1 byte" },
    };

    [Theory]
    [MemberData(nameof(HostileAnswers))]
    public async Task Any_hostile_answer_is_a_card_error_naming_the_step(byte ins, string answerHex, string expected)
    {
        await using var bed = await ClassicTestBed.StartAsync();
        var answer = Convert.FromHexString(answerHex);
        bed.Pcsc.Insert(new InterceptedCard(ClassicTestBed.Card(), a => a[1] == ins ? [.. answer] : null));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardError, failed.Error);
        Assert.Contains(expected, failed.Detail);
    }
}
