using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.Errors;
using Middleware.Tickets.Numbering;
using Xunit;

namespace Middleware.Tickets.Tests.Integration;

/// <summary>
/// A host that starts with an empty ticket store for a point of sale VEM already knows (exactly-once issue #12), through
/// the real parts: real SQLite stores, the real VEM client asking the real sandbox's caisse for its last ticket.
/// </summary>
public sealed class LostStoreNumberingTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-tickets-lost-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
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

    /// <summary>A store on its own (empty) file, with the default Refuse, asking the sandbox where numbering starts.</summary>
    private TicketFixture Store(string name, TicketsOptions? options = null)
    {
        var storeDir = Path.Combine(dir, name);
        Directory.CreateDirectory(storeDir);
        options ??= new TicketsOptions();
        options.VersionLogiciel = "1.4.0";
        options.IdLogiciel = 39;
        return new TicketFixture(directory: storeDir, time: time, options: options, catalog: sandbox.Seed, uploader: sandbox.Uploader,
            origins: new VemNumberingOriginSource(sandbox.Vem));
    }

    [Fact]
    public async Task A_new_store_resumes_above_VEMs_last_ticket_and_VEM_accepts_every_ticket()
    {
        string lastNumero;
        await using (var first = Store("first"))
        {
            // VEM holds nothing of this till: the first store starts at 1 without any floor, Refuse notwithstanding.
            for (var i = 1; i <= 5; i++)
            {
                var r = await first.CommitAsync("a" + i, SandboxHarness.Sale(i));
                Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), r.IdTicketEntete);
            }

            Assert.Equal((5, 0), await first.DrainReadyAsync());
            lastNumero = (await first.Service.GetAsync(TicketFixture.Pos1, 5, CancellationToken.None))!.NumeroTicket;
        }

        // The store is lost; a new one, same day, same till.
        await using var second = Store("second");
        var resumed = await second.CommitAsync("b1", SandboxHarness.Sale(6));
        Assert.Equal("6", resumed.IdTicketEntete);
        Assert.Equal(lastNumero[..6] + "6", resumed.NumeroTicket);
        Assert.Equal("7", (await second.CommitAsync("b2", SandboxHarness.Sale(7))).IdTicketEntete);
        Assert.Equal((2, 0), await second.DrainReadyAsync());

        var held = await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], held.Select(t => t.IdTicketEntete));
        Assert.Equal(7, held.Select(t => t.NumeroTicket).Distinct().Count());
        Assert.Equal("tx-6", held.Single(t => t.IdTicketEntete == "6").Ticket.ListeReglements[0].IdTransactionIzly);
    }

    [Fact]
    public async Task The_higher_of_VEMs_last_ticket_and_the_floor_wins()
    {
        await using (var first = Store("first"))
        {
            await first.CommitAsync("a1", SandboxHarness.Sale(1));
            await first.CommitAsync("a2", SandboxHarness.Sale(2));
            Assert.Equal((2, 0), await first.DrainReadyAsync());
        }

        // A floor below what VEM holds (a stale receipt) must not reuse VEM's ids.
        var low = new TicketsOptions { NumberingFloors = { [TicketFixture.Pos1.ToString()] = new NumberingFloor { LastIdTicketEntete = 1 } } };
        await using (var second = Store("second", low))
        {
            Assert.Equal("3", (await second.CommitAsync("b1", SandboxHarness.Sale(3))).IdTicketEntete);
            Assert.Equal((1, 0), await second.DrainReadyAsync());
        }

        // A floor above what VEM holds (tickets VEM has not received yet) wins over VEM.
        var high = new TicketsOptions { NumberingFloors = { [TicketFixture.Pos1.ToString()] = new NumberingFloor { LastIdTicketEntete = 40 } } };
        await using var third = Store("third", high);
        Assert.Equal("41", (await third.CommitAsync("c1", SandboxHarness.Sale(4))).IdTicketEntete);
        Assert.Equal((1, 0), await third.DrainReadyAsync());
        Assert.Equal(["1", "2", "3", "41"], (await sandbox.Server.GetTicketsAsync(TicketFixture.Pos1)).Select(t => t.IdTicketEntete));
    }

    [Fact]
    public async Task VEM_unreachable_when_asked_is_a_transient_refusal_never_a_restart_at_1()
    {
        await using (var first = Store("first"))
        {
            await first.CommitAsync("a1", SandboxHarness.Sale(1));
            Assert.Equal((1, 0), await first.DrainReadyAsync());
        }

        await using var second = Store("second");
        await sandbox.StopServerAsync();
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => second.CommitAsync("b1", SandboxHarness.Sale(2)));
        Assert.Equal(ErrorCode.UpstreamUnavailable, ex.Code);
        Assert.Null(await second.Service.GetByRequestIdAsync(TicketFixture.Pos1, "b1", CancellationToken.None));

        await sandbox.RestartServerAsync();
        Assert.Equal("2", (await second.CommitAsync("b1", SandboxHarness.Sale(2))).IdTicketEntete);
        Assert.Equal((1, 0), await second.DrainReadyAsync());
    }
}
