using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;
using Middleware.Tickets.Whiz;
using Xunit;

namespace Middleware.Tickets.Tests.Integration;

/// <summary>Through the real parts: real SQLite outbox, real VEM client (core/Api), real sandbox server over HTTP.</summary>
public sealed class SandboxIntegrationTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-tickets-it-" + Guid.NewGuid().ToString("N"));
    private SandboxHarness sandbox = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        sandbox = await SandboxHarness.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private TicketFixture Fixture(FakeTimeProvider? time = null) =>
        new(directory: dir, time: time ?? new FakeTimeProvider(DateTimeOffset.UtcNow), catalog: sandbox.Seed, uploader: sandbox.Uploader);

    [Fact]
    public async Task Committed_tickets_reach_the_sandbox_once_in_order_per_point_of_sale()
    {
        await using var f = Fixture();
        for (var i = 0; i < 30; i++)
        {
            await f.CommitAsync("r" + i, SandboxHarness.Sale(i), i % 2 == 0 ? TicketFixture.Pos1 : TicketFixture.Pos2);
        }

        Assert.Equal((30, 0), await f.DrainReadyAsync());
        Assert.Equal((0, 0), await f.DrainReadyAsync());
        foreach (var pos in new[] { TicketFixture.Pos1, TicketFixture.Pos2 })
        {
            var stored = await sandbox.Server.GetTicketsAsync(pos);
            Assert.Equal(Enumerable.Range(1, 15).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), stored.Select(t => t.IdTicketEntete));
            var first = stored[0].Ticket;
            Assert.Equal(2, first.ListeLignes.Count);
            Assert.Equal(-2.30m, first.ListeLignes[1].PrixUnitaireTtc);
            Assert.Equal(39, first.Complementaire!.IdLogiciel);
        }

        // Sending again (e.g. after a crash before the "sent" bookkeeping) is harmless: VEM answers duplicate.
        var again = await sandbox.Uploader.UploadAsync(TicketFixture.Pos1, (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Ticket!, false, CancellationToken.None);
        Assert.Equal(Middleware.Tickets.Sending.TicketUploadStatus.Duplicate, again.Status);
        Assert.Equal(30, (await sandbox.Server.GetTicketsAsync()).Count);
    }

    [Fact]
    public async Task Sandbox_down_for_hours_then_back_drains_the_backlog_in_order()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var f = Fixture(time);
        await f.CommitAsync("before", SandboxHarness.Sale(0));
        Assert.Equal(1, (await f.DrainReadyAsync()).Sent);

        await sandbox.StopServerAsync(); // VEM unreachable: connection refused
        for (var i = 1; i <= 40; i++)
        {
            await f.CommitAsync("down" + i, SandboxHarness.Sale(i), i % 2 == 0 ? TicketFixture.Pos1 : TicketFixture.Pos2);
            if (i % 10 == 0)
            {
                Assert.Equal(0, (await f.Sender.SendPassAsync(CancellationToken.None)).Sent);
                time.Advance(TimeSpan.FromHours(1)); // four hours down in all
            }
        }

        var status = await f.Service.GetOutboxStatusAsync(null, CancellationToken.None);
        Assert.Equal(40, status.Pending);
        Assert.True(status.OldestPendingAgeSeconds >= 3 * 3600);
        var head = await f.Service.GetAsync(TicketFixture.Pos1, 2, CancellationToken.None);
        Assert.Equal(TicketState.Pending, head!.State);
        Assert.NotNull(head.LastError);

        await sandbox.RestartServerAsync();
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(40, (await f.DrainReadyAsync()).Sent);
        Assert.Equal(Enumerable.Range(1, 21).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1)).Select(t => t.IdTicketEntete));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (await sandbox.Server.GetTicketsAsync(TicketFixture.Pos2)).Select(t => t.IdTicketEntete));
    }

    [Fact]
    public async Task Sandbox_fault_injection_503_is_retried_with_backoff()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var f = Fixture(time);
        sandbox.Server.Faults.FailNext(2, "*/remontee-caisse/tickets/*", 503);
        await f.CommitAsync("a", SandboxHarness.Sale(1));
        await f.CommitAsync("b", SandboxHarness.Sale(2));
        Assert.Equal(0, (await f.DrainReadyAsync()).Sent);
        var held = await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Contains("503", held!.LastError);
        Assert.Equal(0, (await f.DrainReadyAsync()).Sent); // still within the backoff: not tried
        time.Advance(TimeSpan.FromSeconds(3)); // first backoff: 2 s ± 20 %
        Assert.Equal(0, (await f.DrainReadyAsync()).Sent); // second 503
        time.Advance(TimeSpan.FromSeconds(5)); // second backoff: 4 s ± 20 %
        Assert.Equal(2, (await f.DrainReadyAsync()).Sent);
        Assert.Equal(["1", "2"], (await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1)).Select(t => t.IdTicketEntete));
        Assert.Equal(3, (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.Attempts);
    }

    [Fact]
    public async Task Sandbox_422_goes_to_dead_letters_and_a_remap_replay_is_integrated()
    {
        // The middleware's catalog knows an article (7777) the Crous SI does not: VEM refuses the ticket.
        var catalog = new TestCatalog();
        catalog.Articles[1201] = 1;
        catalog.Articles[9101] = 1;
        catalog.Articles[7777] = 1;
        await using var f = new TicketFixture(directory: dir, time: new FakeTimeProvider(DateTimeOffset.UtcNow), catalog: new SandboxRatesCatalog(sandbox.Seed, catalog), uploader: sandbox.Uploader);
        var sale = SandboxHarness.Sale(1) with { Lines = [.. SandboxHarness.Sale(1).Lines, new SaleLine { CodeArticle = 7777, UnitPriceTtc = 1.00m, Label = "Café" }] };
        await f.CommitAsync("r1", sale);
        await f.CommitAsync("r2", SandboxHarness.Sale(2));
        Assert.Equal((1, 1), await f.DrainReadyAsync());
        var dead = Assert.Single(await f.Service.ListAsync(TicketFixture.Pos1, TicketState.Dead, 10, CancellationToken.None));
        Assert.Equal("1", dead.IdTicketEntete);
        Assert.Contains("LINE_ARTICLE", dead.LastError);
        Assert.Equal(["2"], (await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1)).Select(t => t.IdTicketEntete));

        // The fix: map the unknown article onto one VEM knows (here, a site mapping that drops it into the meal line).
        f.Mapper = new MapCoffeeIntoMeal();
        await f.Service.ReplayAsync(TicketFixture.Pos1, 1, remap: true, CancellationToken.None);
        Assert.Equal((1, 0), await f.DrainReadyAsync());
        var stored = await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1);
        Assert.Equal(["2", "1"], stored.Select(t => t.IdTicketEntete));
        Assert.DoesNotContain(stored[1].Ticket.ListeLignes, l => l.CodeArticle == 7777);
    }

    [Fact]
    public async Task Take_away_order_reaches_the_sandbox_Whiz_with_its_status()
    {
        await using var f = Fixture();
        var r = await f.CommitAsync("ta", SandboxHarness.Sale(3) with { Distribution = Distribution.TakeAway });
        Assert.False(await f.WhizQueue.ProcessOnceAsync(sandbox.Whiz, CancellationToken.None));
        await f.WhizQueue.EnqueueStatusAsync(TicketFixture.Pos1, 1, WhizStatuses.Prete, CancellationToken.None);
        Assert.False(await f.WhizQueue.ProcessOnceAsync(sandbox.Whiz, CancellationToken.None));
        var order = Assert.Single(await sandbox.Server.GetWhizOrdersAsync());
        Assert.Equal((r.NumeroTicket, "PRETE"), (order.NumeroTicket, order.Statut));
        var rec = await f.WhizQueue.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(order.IdCommande.ToString(System.Globalization.CultureInfo.InvariantCulture), rec!.IdCommande);
    }

    /// <summary>Articles from one catalog, everything else from the sandbox's.</summary>
    private sealed class SandboxRatesCatalog(Domain.Reference.IReferenceCatalog seed, TestCatalog extra) : Domain.Reference.IReferenceCatalog
    {
        public bool ArticleExists(int codeArticle) => extra.ArticleExists(codeArticle);
        public int? ArticleVatCode(int codeArticle) => extra.ArticleVatCode(codeArticle);
        public decimal? VatRate(int codeTva) => seed.VatRate(codeTva);
        public int? ProfileVatCode(int codeSociete, int codeTarif) => seed.ProfileVatCode(codeSociete, codeTarif);
        public int? IdLogiciel => seed.IdLogiciel ?? extra.IdLogiciel;
    }

    private sealed class MapCoffeeIntoMeal : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context)
        {
            var extra = context.Sale.Lines.Where(l => l.CodeArticle == 7777).Sum(l => l.UnitPriceTtc * l.Quantity);
            var lines = context.Sale.Lines.Where(l => l.CodeArticle != 7777).Select((l, i) => i == 0 ? l with { UnitPriceTtc = l.UnitPriceTtc + extra } : l).ToList();
            return VemTicketBuilder.Build(context with { Sale = context.Sale with { Lines = lines } });
        }
    }
}
