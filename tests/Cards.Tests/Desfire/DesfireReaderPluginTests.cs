using Middleware.Cards.Crypto;
using Middleware.Cards.Tests.Zdc;
using Middleware.Plugins.Sdk.Zdc;
using Middleware.Contracts.Readers;
using Xunit;

namespace Middleware.Cards.Tests.Desfire;

public sealed class DesfireReaderPluginTests
{
    [Fact]
    public async Task Tap_reports_the_zdc_identity_then_the_removal()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard();
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var tapped = await bed.Sink.NextAsync<CardTapped>();
        var identity = tapped.Card;
        Assert.Equal("36000000", identity.IdSupport);
        Assert.Equal("04A1B2C3D4E5F6", identity.NumeroApplicatif);
        Assert.Equal(CardTechnology.Desfire, identity.Technology);
        Assert.Equal(DesfireTestBed.Reader, identity.ReaderName);
        Assert.Equal(DesfireTestBed.SamId, identity.SamId);
        Assert.True(identity.Authenticated);
        Assert.Equal(5, identity.IssuerCrous);
        Assert.Equal(new DateOnly(2024, 9, 2), identity.CreationDate);
        Assert.Equal(bed.Time.GetUtcNow(), tapped.At);

        // §3 sequence: UID, select, authenticate (2 steps), read.
        Assert.Equal(new[] { "GET DATA", "5A", "AA", "AF", "BD" }, card.Log);

        bed.Pcsc.Remove(DesfireTestBed.Reader);
        Assert.Equal(DesfireTestBed.Reader, (await bed.Sink.NextAsync<CardRemoved>()).ReaderName);

        // The full card number never reaches the logs.
        Assert.NotEmpty(bed.Context.Log.Lines);
        Assert.DoesNotContain(bed.Context.Log.Lines, l => l.Contains("36000000", StringComparison.Ordinal));
        Assert.Contains(bed.Context.Log.Lines, l => l.Contains("****0000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Answer_split_in_additional_frames_is_collected()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard();
        card.FrameSize = 16;
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var tapped = await bed.Sink.NextAsync<CardTapped>();
        Assert.Equal("36000000", tapped.Card.IdSupport);
        Assert.Equal(new[] { "GET DATA", "5A", "AA", "AF", "BD", "AF", "AF" }, card.Log);
    }

    [Fact]
    public async Task Uid_comes_from_GetVersion_when_the_reader_has_no_GET_DATA()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard();
        card.AnswersGetData = false;
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        Assert.Equal("36000000", (await bed.Sink.NextAsync<CardTapped>()).Card.IdSupport);
        Assert.Equal(new[] { "GET DATA", "60", "AF", "AF", "5A", "AA", "AF", "BD" }, card.Log);
    }

    [Fact]
    public async Task Wrong_key_is_an_authentication_error()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var otherMaster = Convert.FromHexString("FFEEDDCCBBAA99887766554433221100");
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard(readKey: DesfireTestBed.CardKey(otherMaster)));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.AuthenticationFailed, failed.Error);
        Assert.Contains("91 AE", failed.Detail);
        Assert.Equal(DesfireTestBed.Reader, failed.ReaderName);
    }

    [Fact]
    public async Task Counterfeit_card_proof_is_refused_by_the_sam()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard(readKey: new byte[16]);
        card.Counterfeit = true;
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.AuthenticationFailed, failed.Error);
        Assert.DoesNotContain("BD", card.Log);
    }

    [Fact]
    public async Task Card_without_the_izly_application_is_not_an_izly_card()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = new SimulatedDesfireCard(DesfireTestBed.Uid);
        card.Applications[0x112233] = new SimulatedApplication(new byte[16]);
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.NotAnIzlyCard, failed.Error);
        Assert.Contains("Not an Izly card", failed.Detail);
        Assert.Contains("91 A0", failed.Detail);
    }

    [Fact]
    public async Task Application_without_the_zdc_file_is_not_an_izly_card()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard();
        card.Applications[DesfireTestBed.Aid].Files.Clear();
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.NotAnIzlyCard, failed.Error);
        Assert.Contains("91 F0", failed.Detail);
    }

    [Fact]
    public async Task File_readable_by_another_key_is_permission_denied()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard(fileReadKey: 2));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardError, failed.Error);
        Assert.Contains("Permission denied", failed.Detail);
        Assert.Contains("91 9D", failed.Detail);
    }

    [Fact]
    public async Task Card_removed_in_the_middle_of_the_read_then_the_next_tap_works()
    {
        await using var bed = await DesfireTestBed.StartAsync();

        // The 4th APDU is the second authentication step: the card leaves the field there.
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard(), removeAfterApdus: 4);
        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardRemoved, failed.Error);
        Assert.Equal(DesfireTestBed.Reader, (await bed.Sink.NextAsync<CardRemoved>()).ReaderName);

        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());
        Assert.Equal("36000000", (await bed.Sink.NextAsync<CardTapped>()).Card.IdSupport);
    }

    [Fact]
    public async Task Card_pulled_away_with_an_empty_answer_is_reported_removed()
    {
        await using var bed = await DesfireTestBed.StartAsync();

        // The 5th APDU is ReadData: the driver answers nothing and the card is gone.
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard(), removeAfterApdus: 5, emptyAnswer: true);
        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardRemoved, failed.Error);
        Assert.IsType<CardRemoved>(await bed.Sink.NextAsync());
    }

    [Fact]
    public async Task Empty_answer_from_a_card_still_present_is_a_card_error()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard(), emptyAnswerAt: 5);

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardError, failed.Error);
        Assert.Contains("without a status word", failed.Detail);
    }

    [Fact]
    public async Task Corrupted_enciphered_answer_fails_the_integrity_check()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard();
        card.TamperReadAnswer = cipher => cipher[5] ^= 0x40;
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.CardError, failed.Error);
        Assert.Contains("integrity", failed.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(0x1E, CardReadError.CardError, "integrity error")]
    [InlineData(0x7E, CardReadError.CardError, "length error")]
    [InlineData(0xAE, CardReadError.AuthenticationFailed, "AUTHENTICATION_ERROR")]
    [InlineData(0xCA, CardReadError.CardError, "91 CA COMMAND_ABORTED")]
    [InlineData(0x42, CardReadError.CardError, "91 42 UNKNOWN_STATUS")]
    public async Task Card_status_words_map_to_clear_errors(byte status, CardReadError error, string text)
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var card = DesfireTestBed.IzlyCard();
        card.ForcedReadStatus = status;
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(error, failed.Error);
        Assert.Contains(text, failed.Detail);
        Assert.Contains("ReadData", failed.Detail);
    }

    [Fact]
    public async Task Malformed_zdc_is_refused_naming_the_field()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var zdc = Convert.FromHexString(ZdcCodecTests.ExampleHex);
        zdc[28] ^= 0xFF;
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard(zdc));

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.InvalidZdc, failed.Error);
        Assert.Contains("checkByte", failed.Detail);
    }

    [Fact]
    public async Task Pcsc_service_loss_is_survived()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());
        await bed.Sink.NextAsync<CardTapped>();

        bed.Pcsc.StopService();
        // The card on the reader is reported gone with the service.
        Assert.IsType<CardRemoved>(await bed.Sink.NextAsync());
        Assert.Equal(Contracts.Readers.ReaderState.Unavailable, Assert.Single(bed.Readers()).State);

        bed.Pcsc.Remove(DesfireTestBed.Reader);
        bed.Pcsc.StartService();
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());

        // The host's watcher retries after its delay (host clock): move the clock until the tap arrives.
        var next = bed.Sink.NextAsync();
        while (!next.IsCompleted)
        {
            bed.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(20));
        }

        Assert.Equal("36000000", Assert.IsType<CardTapped>(await next).Card.IdSupport);
        Assert.Equal(Contracts.Readers.ReaderState.CardPresent, Assert.Single(bed.Readers()).State);
    }

    [Fact]
    public async Task A_wait_that_returns_without_change_does_not_spin_the_loop()
    {
        var pcsc = new FakeSmartCardSystem { ReturnsEarly = true };
        await using var bed = await DesfireTestBed.StartAsync(pcsc: pcsc);

        // First wait: the reader appears; second: nothing changed, so the loop pauses on the host clock.
        while (pcsc.Waits < 2)
        {
            await Task.Delay(5);
        }

        await Task.Delay(100);
        Assert.Equal(2, pcsc.Waits);

        bed.Time.Advance(TimeSpan.FromMilliseconds(200));
        while (pcsc.Waits < 3)
        {
            await Task.Delay(5);
        }

        Assert.Equal(3, pcsc.Waits);
    }

    [Fact]
    public async Task A_card_is_read_on_demand_and_a_reader_outside_the_filter_is_not_claimed()
    {
        await using var bed = await DesfireTestBed.StartAsync("""{ "readerNamePattern": "^Other" }""");
        bed.Pcsc.AddReader("Other reader");
        bed.Pcsc.Insert("Other reader", DesfireTestBed.IzlyCard());

        // The watch reports the card; a read on demand reads it again.
        Assert.Equal("Other reader", (await bed.Sink.NextAsync<CardTapped>()).Card.ReaderName);
        var identity = await bed.ReadAsync("Other reader");
        Assert.Equal("36000000", identity.IdSupport);
        Assert.Equal("Other reader", identity.ReaderName);
        Assert.Equal(identity, (await bed.Sink.NextAsync<CardTapped>()).Card); // a read on demand counts as a tap

        var unknown = await Assert.ThrowsAsync<CardReadException>(() => bed.ReadAsync("Nope"));
        Assert.Equal(CardReadError.ReaderError, unknown.Error);

        // The host lists every reader; the plugin claims no card outside its filter.
        Assert.Equal(new[] { DesfireTestBed.Reader, "Other reader" }, bed.Readers().Select(r => r.Name));
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());
        var onDefault = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.NotAnIzlyCard, onDefault.Error);
    }

    [Fact]
    public async Task A_read_on_demand_waits_for_the_next_card_within_its_timeout()
    {
        await using var bed = await DesfireTestBed.StartAsync();
        var waiting = bed.ReadAsync(DesfireTestBed.Reader, TimeSpan.FromSeconds(30));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());
        Assert.Equal("36000000", (await waiting.WaitAsync(TimeSpan.FromSeconds(20))).IdSupport);

        bed.Pcsc.Remove(DesfireTestBed.Reader);
        await bed.Sink.NextAsync<CardTapped>();
        await bed.Sink.NextAsync<CardRemoved>();
        var none = bed.ReadAsync(DesfireTestBed.Reader, TimeSpan.FromSeconds(2));
        while (!none.IsCompleted)
        {
            bed.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(none, Task.Delay(20));
        }

        Assert.Equal(CardReadError.Timeout, (await Assert.ThrowsAsync<CardReadException>(() => none)).Error);
    }

    [Fact]
    public async Task Readers_outside_the_name_filter_are_ignored()
    {
        await using var bed = await DesfireTestBed.StartAsync("""{ "readerNamePattern": "^Other" }""");
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());
        bed.Pcsc.AddReader("Other reader");
        bed.Pcsc.Insert("Other reader", DesfireTestBed.IzlyCard());

        // The card on the reader outside the filter is claimed by no plugin: it is never connected to.
        var events = new[] { await bed.Sink.NextAsync(), await bed.Sink.NextAsync() };
        Assert.Equal("Other reader", Assert.Single(events.OfType<CardTapped>()).Card.ReaderName);
        Assert.Equal(CardReadError.NotAnIzlyCard, Assert.Single(events.OfType<CardReadFailed>()).Error);
        Assert.Equal(1, bed.Pcsc.Connects);
    }

    [Fact]
    public async Task Settings_choose_application_file_and_keys()
    {
        await using var bed = await DesfireTestBed.StartAsync("""{ "applicationId": "123456", "fileNumber": 3, "readKeyNumber": 2 }""");
        var card = new SimulatedDesfireCard(DesfireTestBed.Uid);
        var app = new SimulatedApplication(new byte[16], new byte[16], DesfireTestBed.CardKey(aid: 0x123456));
        app.Files[3] = new SimulatedFile(Convert.FromHexString(ZdcCodecTests.ExampleHex), 2);
        card.Applications[0x123456] = app;
        bed.Pcsc.Insert(DesfireTestBed.Reader, card);

        Assert.Equal("36000000", (await bed.Sink.NextAsync<CardTapped>()).Card.IdSupport);
    }

    [Fact]
    public async Task Host_without_sam_reports_a_sam_error()
    {
        await using var bed = await DesfireTestBed.StartAsync(withSam: false);
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());

        Assert.Equal(CardReadError.SamError, (await bed.Sink.NextAsync<CardReadFailed>()).Error);
    }

    [Theory]
    [InlineData("""{ "applicationId": "F585" }""", "applicationId")]
    [InlineData("""{ "applicationId": "XYZ123" }""", "applicationId")]
    [InlineData("""{ "fileNumber": 40 }""", "fileNumber")]
    [InlineData("""{ "readKeyNumber": 14 }""", "readKeyNumber")]
    [InlineData("""{ "readerNamePattern": "(" }""", "readerNamePattern")]
    [InlineData("""{ "readTimeoutMs": 0 }""", "readTimeoutMs")]
    [InlineData("""{ "atrPatterns": ["3B 8"] }""", "ATR pattern")]
    public async Task Bad_settings_stop_the_start_with_a_clear_error(string settings, string name)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DesfireTestBed.StartAsync(settings));
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public async Task Stop_ends_the_watch_and_releases_the_readers()
    {
        var bed = await DesfireTestBed.StartAsync();
        await bed.DisposeAsync();
        Assert.Null(bed.Plugin.Claim(new PresentedCard(DesfireTestBed.Reader, DesfireTestBed.IzlyCard().Atr)));
        bed.Pcsc.Insert(DesfireTestBed.Reader, DesfireTestBed.IzlyCard());
        Assert.False(bed.Sink.TryPeek(out _));
        Assert.Equal(0, bed.Pcsc.Connects);
    }

    [Fact]
    public void Zdc_codec_is_the_sdks()
    {
        // One ZDC codec, the SDK's, for the host and every plugin (the virtual cards keep their own, as an independent check).
        Assert.Equal(29, ZdcCodec.Length);
        Assert.Equal(0xF4, ZdcCodec.Crc8("123456789"u8));
    }
}
