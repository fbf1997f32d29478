using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Pcsc;
using Xunit;

namespace Middleware.Cards.Tests.Sdk;

/// <summary>What the SDK's base does for a card plugin: the reader filter, a claim that cannot throw, the read timeout
/// and the error mapping.</summary>
public sealed class PcscCardPluginBaseTests
{
    private static readonly byte[] Atr = Convert.FromHexString("3B8180018080");

    [Fact]
    public async Task A_card_on_a_reader_outside_the_filter_is_not_claimed_and_an_unstarted_plugin_claims_nothing()
    {
        var plugin = new SamplePlugin();
        Assert.Null(plugin.Claim(new PresentedCard("Reader A", Atr)));

        await plugin.StartAsync(Context("""{ "readerNamePattern": "^Reader A$" }"""), default);
        Assert.Equal(CardClaim.Exact, plugin.Claim(new PresentedCard("Reader A", Atr)));
        Assert.Null(plugin.Claim(new PresentedCard("Reader B", Atr)));

        await plugin.StopAsync(default);
        Assert.Null(plugin.Claim(new PresentedCard("Reader A", Atr)));
    }

    [Fact]
    public async Task A_claim_that_throws_leaves_the_card_to_others()
    {
        var plugin = new SamplePlugin { ClaimThrows = true };
        await plugin.StartAsync(Context("{}"), default);
        Assert.Null(plugin.Claim(new PresentedCard("Reader A", Atr)));
    }

    [Fact]
    public async Task A_read_past_its_timeout_is_a_timeout_and_a_caller_cancellation_stays_a_cancellation()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var plugin = new SamplePlugin { Hang = true };
        await plugin.StartAsync(Context("""{ "readTimeoutMs": 500 }""", time), default);

        var read = plugin.ReadAsync(new NoCard(), default);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(CardReadError.Timeout, (await Assert.ThrowsAsync<CardReadException>(() => read)).Error);

        using var caller = new CancellationTokenSource();
        var cancelled = plugin.ReadAsync(new NoCard(), caller.Token);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }

    [Fact]
    public async Task What_the_read_throws_is_mapped_and_a_missing_sam_is_a_sam_error()
    {
        var plugin = new SamplePlugin { Throw = new SmartCardException(SmartCardError.RemovedCard, 0x80100069, "gone") };
        await plugin.StartAsync(Context("{}"), default);
        Assert.Equal(CardReadError.CardRemoved, (await Assert.ThrowsAsync<CardReadException>(() => plugin.ReadAsync(new NoCard(), default))).Error);

        var needsSam = new SamplePlugin { NeedsSam = true };
        await needsSam.StartAsync(Context("{}"), default);
        Assert.Equal(CardReadError.SamError, (await Assert.ThrowsAsync<CardReadException>(() => needsSam.ReadAsync(new NoCard(), default))).Error);
    }

    [Theory]
    [InlineData("""{ "readTimeoutMs": 0 }""", "readTimeoutMs")]
    [InlineData("""{ "readTimeoutMs": 60001 }""", "readTimeoutMs")]
    [InlineData("""{ "readerNamePattern": "[" }""", "readerNamePattern")]
    public async Task Bad_common_settings_refuse_the_start_naming_the_setting(string settings, string name)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => new SamplePlugin().StartAsync(Context(settings), default));
        Assert.Contains(name, ex.Message);
    }

    private static FakePluginContext Context(string settings, TimeProvider? time = null) =>
        new(time ?? TimeProvider.System, JsonDocument.Parse(settings).RootElement.Clone());

    private sealed class SamplePlugin() : PcscCardPluginBase("reader.sample", "1.0.0", "Sample", CardTechnology.Desfire)
    {
        public bool ClaimThrows { get; init; }

        public bool Hang { get; init; }

        public bool NeedsSam { get; init; }

        public Exception? Throw { get; init; }

        protected override CardClaim? ClaimCard(PresentedCard card) =>
            ClaimThrows ? throw new InvalidOperationException("cannot tell") : CardClaim.Exact;

        protected override async Task<CardIdentity> ReadCardAsync(IPcscCard card, CancellationToken cancellationToken)
        {
            if (NeedsSam)
            {
                RequireSam();
            }

            if (Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, Time, cancellationToken);
            }

            return Throw is not null ? throw Throw : new CardIdentity("1", "00", CardTechnology.Desfire, card.ReaderName, null, false);
        }
    }

    private sealed class NoCard : IPcscCard
    {
        public string ReaderName => "Reader A";

        public ReadOnlyMemory<byte> Atr => PcscCardPluginBaseTests.Atr;

        public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
