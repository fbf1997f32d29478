using Middleware.Contracts.Readers;
using Xunit;

namespace Company.IzlyReader.Tests;

/// <summary>The plugin as the host drives it: start with settings, claim, read, stop; errors as the tills see them.</summary>
public sealed class ClassicReaderPluginTests : IAsyncLifetime
{
    private readonly ClassicReaderPlugin _plugin = new();
    private readonly TestPluginContext _context = new($$"""{ "keyA": "{{SampleZdc.KeyHex}}", "readerNamePattern": "PICC", "readTimeoutMs": 500 }""");

    public Task InitializeAsync() => _plugin.StartAsync(_context, CancellationToken.None);

    public Task DisposeAsync() => _plugin.StopAsync(CancellationToken.None);

    [Fact]
    public void TheMetadataNamesThePluginAndTheContractItWasBuiltFor()
    {
        Assert.Equal(ClassicReaderPlugin.PluginId, _plugin.Metadata.Id);
        Assert.Equal(Middleware.Contracts.ContractInfo.Version, _plugin.Metadata.ContractVersion);
        Assert.Matches(@"^\d+\.\d+\.\d+", _plugin.Metadata.Version);
        Assert.Equal([CardTechnology.Classic1K, CardTechnology.Classic4K], _plugin.Technologies);
    }

    [Fact]
    public void ClassicPseudoAtrsAreClaimedExactlyOthersAreLeft()
    {
        Assert.Equal(CardClaim.Exact, _plugin.Claim(new PresentedCard("ACS ACR1252 PICC 00 00", FakeClassicCard.PseudoAtr(0x0001))));
        Assert.Equal(CardClaim.Exact, _plugin.Claim(new PresentedCard("ACS ACR1252 PICC 00 00", FakeClassicCard.PseudoAtr(0x0002))));
        // A DESFire (ISO 14443-4) ATR and an Ultralight C pseudo-ATR belong to other plugins.
        Assert.Null(_plugin.Claim(new PresentedCard("ACS ACR1252 PICC 00 00", new byte[] { 0x3B, 0x81, 0x80, 0x01, 0x80, 0x80 })));
        Assert.Null(_plugin.Claim(new PresentedCard("ACS ACR1252 PICC 00 00", FakeClassicCard.PseudoAtr(0x003A))));
    }

    [Fact]
    public void CardsOnReadersOutsideTheNameFilterAreLeft()
    {
        Assert.Null(_plugin.Claim(new PresentedCard("Gemalto USB SmartCard Reader 00 00", FakeClassicCard.PseudoAtr(0x0001))));
    }

    [Fact]
    public async Task A1KCardGivesItsIdentityAndTheLogsShowTheCardNumberMasked()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        card.WriteZdc(4, SampleZdc.Bytes);

        var identity = await _plugin.ReadAsync(card, CancellationToken.None);

        Assert.Equal(new CardIdentity("36000000", "04A1B2C3D4E5F6", CardTechnology.Classic1K, card.ReaderName, null, false, 5, new DateOnly(2024, 9, 2)), identity);
        Assert.Contains(_context.Log.Lines, l => l.Contains("****0000", StringComparison.Ordinal));
        Assert.DoesNotContain(_context.Log.Lines, l => l.Contains("36000000", StringComparison.Ordinal) || l.Contains(SampleZdc.KeyHex, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A4KCardIsReportedAsClassic4K()
    {
        var card = new FakeClassicCard(is4K: true, SampleZdc.Key);
        card.WriteZdc(128, SampleZdc.Bytes);

        var identity = await _plugin.ReadAsync(card, CancellationToken.None);

        Assert.Equal(CardTechnology.Classic4K, identity.Technology);
    }

    [Fact]
    public async Task ACardWithAnotherKeyIsAnAuthenticationFailure()
    {
        var card = new FakeClassicCard(is4K: false, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        card.WriteZdc(4, SampleZdc.Bytes);

        var ex = await Assert.ThrowsAsync<CardReadException>(() => _plugin.ReadAsync(card, CancellationToken.None));

        Assert.Equal(CardReadError.AuthenticationFailed, ex.Error);
    }

    [Fact]
    public async Task ABadRecordIsInvalidZdc()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key);
        var bytes = SampleZdc.Bytes;
        bytes[27] = 0x99; // day 99: not a date (the check byte no longer matches either, and is checked first)
        card.WriteZdc(4, bytes);

        var ex = await Assert.ThrowsAsync<CardReadException>(() => _plugin.ReadAsync(card, CancellationToken.None));

        Assert.Equal(CardReadError.InvalidZdc, ex.Error);
    }

    [Fact]
    public async Task ACardLeavingDuringTheReadIsCardRemoved()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key) { RemoveOnCommand = 2 };
        card.WriteZdc(4, SampleZdc.Bytes);

        var ex = await Assert.ThrowsAsync<CardReadException>(() => _plugin.ReadAsync(card, CancellationToken.None));

        Assert.Equal(CardReadError.CardRemoved, ex.Error);
    }

    [Fact]
    public async Task ACardThatStopsAnsweringIsATimeoutWithinTheReadBudget()
    {
        var card = new FakeClassicCard(is4K: false, SampleZdc.Key) { HangOnCommand = 3 };
        card.WriteZdc(4, SampleZdc.Bytes);
        var started = TimeProvider.System.GetTimestamp();

        var ex = await Assert.ThrowsAsync<CardReadException>(() => _plugin.ReadAsync(card, CancellationToken.None));

        Assert.Equal(CardReadError.Timeout, ex.Error);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StartingWithoutAKeyFailsNamingTheSetting()
    {
        var plugin = new ClassicReaderPlugin();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => plugin.StartAsync(new TestPluginContext("{}"), CancellationToken.None));

        Assert.Contains("keyA", ex.Message, StringComparison.Ordinal);
    }
}
