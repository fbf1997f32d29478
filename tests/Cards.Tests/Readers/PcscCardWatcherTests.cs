using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Readers;
using Xunit;

namespace Middleware.Cards.Tests.Readers;

/// <summary>The host's PC/SC watch: each card goes to one plugin, the one whose claim wins; the others never touch it.</summary>
public sealed class PcscCardWatcherTests
{
    private const string Reader = "Reader 0";

    [Fact]
    public async Task The_highest_claim_reads_the_card_and_the_others_never_touch_it()
    {
        var low = new ClaimingPlugin("reader.low", 10);
        var high = new ClaimingPlugin("reader.high", 100);
        var none = new ClaimingPlugin("reader.none", null);
        await using var bed = await Bed.StartAsync(low, high, none);

        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());

        var tapped = await bed.Sink.NextAsync<CardTapped>();
        Assert.Equal("reader.high", tapped.Card.NumeroApplicatif);
        Assert.Equal((1, 0, 0), (high.Reads, low.Reads, none.Reads));
        Assert.Equal((1, 1, 1), (high.Claims, low.Claims, none.Claims));
        Assert.Equal(1, bed.Pcsc.Connects);
    }

    [Fact]
    public async Task Equal_claims_go_to_the_plugin_id_first_in_ordinal_order()
    {
        var b = new ClaimingPlugin("reader.b", 50);
        var a = new ClaimingPlugin("reader.a", 50);
        await using var bed = await Bed.StartAsync(b, a);

        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());

        Assert.Equal("reader.a", (await bed.Sink.NextAsync<CardTapped>()).Card.NumeroApplicatif);
    }

    [Fact]
    public async Task A_card_nobody_claims_is_not_an_izly_card_and_is_never_connected_to()
    {
        await using var bed = await Bed.StartAsync(new ClaimingPlugin("reader.none", null));

        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());

        var failed = await bed.Sink.NextAsync<CardReadFailed>();
        Assert.Equal(CardReadError.NotAnIzlyCard, failed.Error);
        Assert.Contains("3B8180018080", failed.Detail);
        Assert.Equal(0, bed.Pcsc.Connects);
    }

    [Fact]
    public async Task A_plugin_whose_claim_throws_or_hangs_is_left_out_and_the_card_goes_to_the_next()
    {
        var throwing = new ClaimingPlugin("reader.a-throws", 100) { ClaimThrows = true };
        var hanging = new ClaimingPlugin("reader.b-hangs", 100) { ClaimHangs = true };
        var good = new ClaimingPlugin("reader.c-good", 10);
        await using var bed = await Bed.StartAsync(throwing, hanging, good);

        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());

        Assert.Equal("reader.c-good", (await bed.Sink.NextAsync<CardTapped>()).Card.NumeroApplicatif);
    }

    [Fact]
    public async Task A_plugin_cannot_use_the_card_after_its_read_returned()
    {
        var keeper = new ClaimingPlugin("reader.keeper", 100);
        await using var bed = await Bed.StartAsync(keeper);

        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());
        await bed.Sink.NextAsync<CardTapped>();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => keeper.Kept!.TransmitAsync(new byte[] { 0xFF, 0xCA, 0x00, 0x00, 0x00 }, CancellationToken.None));
    }

    [Fact]
    public async Task A_read_past_the_hosts_budget_is_a_timeout_and_the_next_card_is_read()
    {
        var slow = new ClaimingPlugin("reader.slow", 100) { ReadHangsOnce = true };
        await using var bed = await Bed.StartAsync([slow], new CardReaderOptions { Debounce = TimeSpan.Zero, ReadBudget = TimeSpan.FromMilliseconds(300) });

        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());
        Assert.Equal(CardReadError.Timeout, (await bed.Sink.NextAsync<CardReadFailed>()).Error);

        bed.Pcsc.Remove(Reader);
        await bed.Sink.NextAsync<CardRemoved>();
        bed.Pcsc.Insert(Reader, DesfireTestBed.IzlyCard());
        Assert.Equal("reader.slow", (await bed.Sink.NextAsync<CardTapped>()).Card.NumeroApplicatif);
    }

    private sealed class Bed : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _watch = Task.CompletedTask;

        public FakeSmartCardSystem Pcsc { get; } = new();

        public RecordingSink Sink { get; } = new();

        public static Task<Bed> StartAsync(params IPlugin[] plugins) =>
            StartAsync(plugins, new CardReaderOptions { Debounce = TimeSpan.Zero, ClaimTimeout = TimeSpan.FromMilliseconds(300) });

        public static Task<Bed> StartAsync(IPlugin[] plugins, CardReaderOptions options)
        {
            var bed = new Bed();
            bed.Pcsc.AddReader(Reader);
            var watcher = new PcscCardWatcher(bed.Pcsc, new DirectPluginCatalog(plugins), bed.Sink, options, new FakeTimeProvider(DateTimeOffset.UnixEpoch), NullLogger<PcscCardWatcher>.Instance);
            bed._watch = Task.Run(() => watcher.RunAsync(bed._stop.Token));
            return Task.FromResult(bed);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watch;
        }
    }

    /// <summary>A card plugin that claims every card with a fixed priority (or none) and answers its own id.</summary>
    private sealed class ClaimingPlugin(string id, int? priority) : IPcscCardPlugin
    {
        private int _claims;
        private int _reads;

        public bool ClaimThrows { get; init; }

        public bool ClaimHangs { get; init; }

        public bool ReadHangsOnce { get; set; }

        public IPcscCard? Kept { get; private set; }

        public int Claims => Volatile.Read(ref _claims);

        public int Reads => Volatile.Read(ref _reads);

        public PluginMetadata Metadata { get; } = new(id, "1.0.0", ContractInfo.Version, id);

        public IReadOnlyList<CardTechnology> Technologies { get; } = [CardTechnology.Desfire];

        public Task StartAsync(IPluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public CardClaim? Claim(PresentedCard card)
        {
            Interlocked.Increment(ref _claims);
            if (ClaimThrows)
            {
                throw new CardReadException(CardReadError.ReaderError, "cannot tell");
            }

            if (ClaimHangs)
            {
                Thread.Sleep(2000); // the host's claim budget (300 ms here) must not wait for it
            }

            return priority is { } p ? new CardClaim(p) : null;
        }

        public async Task<CardIdentity> ReadAsync(IPcscCard card, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            if (ReadHangsOnce)
            {
                ReadHangsOnce = false;
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Kept = card;
            var uid = await card.TransmitAsync(new byte[] { 0xFF, 0xCA, 0x00, 0x00, 0x00 }, cancellationToken);
            Assert.Equal(9, uid.Length);
            return new CardIdentity("1", id, CardTechnology.Desfire, card.ReaderName, null, Authenticated: false);
        }
    }
}
