using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Middleware.Plugins.Sdk.Zdc;
using Xunit;

namespace Middleware.Cards.Tests.Sdk;

/// <summary>The SDK's PC/SC helpers, against a scripted card that answers as a PC/SC Part 3 reader does (cards.md §4, §5).</summary>
public sealed class SdkHelperTests
{
    [Theory]
    [InlineData("3B 81 80 01 80 80", "3B8180018080", true)]
    [InlineData("3B 81 80 01 80 80", "3B818001808000", false)]
    [InlineData("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 .. .. *", "3B8F8001804F0CA0000003060300010000000068", true)]
    [InlineData("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 02 *", "3B8F8001804F0CA0000003060300010000000068", false)]
    public void Atr_patterns_match_bytes_wildcards_and_open_tails(string pattern, string atr, bool matches) =>
        Assert.Equal(matches, AtrPattern.Parse(pattern).Matches(Convert.FromHexString(atr)));

    [Theory]
    [InlineData("3B 8")]
    [InlineData("3B ZZ")]
    [InlineData("")]
    [InlineData("* 3B")]
    public void A_bad_atr_pattern_is_refused_naming_it(string pattern)
    {
        var ex = Assert.Throws<ArgumentException>(() => AtrPattern.Parse(pattern));
        Assert.Contains("ATR pattern", ex.Message);
    }

    [Fact]
    public void The_part3_pseudo_atr_names_the_storage_card_and_its_check_byte_is_checked()
    {
        var classic1K = Convert.FromHexString("3B8F8001804F0CA0000003060300010000000000");
        classic1K[19] = Tck(classic1K);
        Assert.True(StorageCardType.TryParse(classic1K, out var type));
        Assert.Equal((0x03, StorageCardType.Classic1K), (type.Standard, type.CardName));

        var ultralight = Convert.FromHexString("3B8F8001804F0CA0000003060300030000000068");
        ultralight[14] = 0x3A;
        ultralight[19] = Tck(ultralight);
        Assert.True(StorageCardType.TryParse(ultralight, out type));
        Assert.Equal(StorageCardType.UltralightC, type.CardName);

        classic1K[19] ^= 0xFF;
        Assert.False(StorageCardType.TryParse(classic1K, out _));
        Assert.False(StorageCardType.TryParse(Convert.FromHexString("3B8180018080"), out _));
    }

    [Fact]
    public async Task Storage_card_commands_send_the_part3_apdus_and_tell_a_wrong_key_from_an_access_refused()
    {
        var card = new ScriptedCard();
        card.Answers["FFCA000000"] = "04A1B2C39000";
        card.Answers["FF82000006A0A1A2A3A4A5"] = "9000";
        card.Answers["FF860000050100046000"] = "9000";
        card.Answers["FFB0000410"] = "00112233445566778899AABBCCDDEEFF9000";
        card.Answers["FF860000050100806000"] = "6300";
        card.Answers["FFB0008010"] = "6982";

        Assert.Equal("04A1B2C3", Convert.ToHexString(await card.GetUidAsync(default)));
        await card.LoadKeyAsync(Convert.FromHexString("A0A1A2A3A4A5"), 0, default);
        await card.AuthenticateAsync(4, StorageCard.KeyType.A, 0, default);
        Assert.Equal("00112233445566778899AABBCCDDEEFF", Convert.ToHexString(await card.ReadBinaryAsync(4, 16, default)));

        var wrongKey = await Assert.ThrowsAsync<CardReadException>(() => card.AuthenticateAsync(0x80, StorageCard.KeyType.A, 0, default));
        Assert.Equal(CardReadError.AuthenticationFailed, wrongKey.Error);
        var locked = await Assert.ThrowsAsync<CardReadException>(() => card.ReadBinaryAsync(0x80, 16, default));
        Assert.Equal(CardReadError.CardError, locked.Error);
        Assert.Contains("access refused", locked.Message);
        await Assert.ThrowsAsync<CardProtocolException>(() => card.ReadBinaryAsync(5, 16, default)); // no answer scripted: 6A 82
        await Assert.ThrowsAsync<ArgumentException>(() => card.LoadKeyAsync(new byte[5], 0, default));
    }

    [Fact]
    public async Task A_transparent_session_wraps_native_frames_and_reads_the_cards_answer_among_other_objects()
    {
        var card = new ScriptedCard();
        card.Answers["FFC20000028100"] = "C0030090009000";
        // An ACS-style answer: its own 92 and 96 objects around the status and the card's answer.
        card.Answers["FFC200010495021A00"] = "C003009000920200019602000097" + "0BAF0102030405060708090A9000";
        card.Answers["FFC20000028200"] = "C0030090009000";

        await using (var session = await TransparentSession.StartAsync(card, default))
        {
            Assert.Equal("AF0102030405060708090A", Convert.ToHexString(await session.ExchangeAsync(new byte[] { 0x1A, 0x00 }, default)));
        }

        Assert.Equal("FFC20000028200", card.Sent[^1]);
    }

    [Fact]
    public void A_transparent_session_answer_with_a_failed_status_or_a_broken_tlv_is_a_protocol_error()
    {
        Assert.Throws<CardProtocolException>(() => TransparentSession.ParseObjects(Convert.FromHexString("C003006400"), "x"));
        Assert.Throws<CardProtocolException>(() => TransparentSession.ParseObjects(Convert.FromHexString("9705AF01"), "x"));
        Assert.Throws<CardProtocolException>(() => TransparentSession.ParseObjects(Convert.FromHexString("97"), "x"));
    }

    [Fact]
    public void Failures_map_to_the_stable_errors_tills_see()
    {
        Assert.Equal(CardReadError.CardRemoved, CardErrors.Map(new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "gone")).Error);
        Assert.Equal(CardReadError.ReaderError, CardErrors.Map(new SmartCardException(SmartCardError.CommunicationError, 0x80100016, "x")).Error);
        Assert.Equal(CardReadError.AuthenticationFailed, CardErrors.Map(new SamException(SamError.AuthenticationFailed, "x")).Error);
        Assert.Equal(CardReadError.SamError, CardErrors.Map(new SamException(SamError.KeyNotFound, "x")).Error);
        Assert.Equal(CardReadError.InvalidZdc, CardErrors.Map(new ZdcFormatException("version", "x")).Error);
        Assert.Equal(CardReadError.CardError, CardErrors.Map(new CardProtocolException("x")).Error);
        Assert.Equal(CardReadError.ReaderError, CardErrors.Map(new InvalidOperationException("x")).Error);
    }

    private static byte Tck(byte[] atr)
    {
        byte tck = 0;
        foreach (var b in atr.AsSpan(1, 18))
        {
            tck ^= b;
        }

        return tck;
    }

    /// <summary>A card answering scripted APDUs (hex), <c>6A 82</c> to anything else.</summary>
    private sealed class ScriptedCard : IPcscCard
    {
        public Dictionary<string, string> Answers { get; } = new(StringComparer.Ordinal);

        public List<string> Sent { get; } = [];

        public string ReaderName => "Scripted";

        public ReadOnlyMemory<byte> Atr => Convert.FromHexString("3B8F8001804F0CA0000003060300010000000068");

        public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken)
        {
            var hex = Convert.ToHexString(apdu.Span);
            Sent.Add(hex);
            return Task.FromResult(Convert.FromHexString(Answers.GetValueOrDefault(hex, "6A82")));
        }
    }
}
