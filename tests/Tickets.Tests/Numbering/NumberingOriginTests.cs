using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Tickets.Numbering;
using Xunit;

namespace Middleware.Tickets.Tests.Numbering;

/// <summary>
/// Where numbering resumes when the real SQLite store has no numbers for a point of sale (a lost or replaced
/// tickets.db) and VEM cannot tell its last ticket: the configured floor, a refusal (1502), or 1 when told so.
/// </summary>
public sealed class NumberingOriginTests
{
    private static readonly string Pos1 = TicketFixture.Pos1.ToString();

    [Fact]
    public async Task Lost_store_is_refused_with_1502_by_default_then_resumes_above_the_declared_floor()
    {
        // The first store numbers three tickets of the day, then is lost.
        string lastNumero;
        await using (var before = new TicketFixture())
        {
            for (var i = 1; i <= 3; i++)
            {
                await before.CommitAsync("old" + i);
            }

            lastNumero = (await before.Service.GetAsync(TicketFixture.Pos1, 3, CancellationToken.None))!.NumeroTicket;
        }

        // A new store (empty file), Refuse being the default, VEM unable to tell.
        var options = new TicketsOptions();
        Assert.Equal(UnknownNumberingOrigin.Refuse, options.UnknownNumberingOrigin);
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        var refused = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("r1"));
        Assert.Equal(ErrorCode.NumberingOriginUnknown, refused.Code);
        Assert.Equal(1502, (int)refused.Code);
        Assert.Contains($"Tickets:NumberingFloors:{Pos1}", refused.Message);
        Assert.Null(await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None));
        Assert.Null(await f.Service.GetByRequestIdAsync(TicketFixture.Pos1, "r1", CancellationToken.None));

        // Still refused at a retry: the refusal is not forgotten after one attempt.
        Assert.Equal(ErrorCode.NumberingOriginUnknown, (await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("r1"))).Code);

        // The operator declares the floor from the till's last receipt and restarts: the same requestId now commits.
        f.Options.NumberingFloors[Pos1] = new NumberingFloor { LastIdTicketEntete = 3, LastNumeroTicket = lastNumero };
        await f.RestartAsync();
        var receipt = await f.CommitAsync("r1");
        Assert.Equal("4", receipt.IdTicketEntete);
        Assert.Equal("2003184", receipt.NumeroTicket);
        Assert.Equal(("5", "2003185"), Ids(await f.CommitAsync("r2")));
    }

    [Fact]
    public async Task A_floor_of_an_earlier_day_keeps_the_id_rising_and_restarts_the_day_sequence()
    {
        var options = new TicketsOptions { NumberingFloors = { [Pos1] = new NumberingFloor { LastIdTicketEntete = 41, LastNumeroTicket = "2003177" } } };
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        Assert.Equal(("42", "2003181"), Ids(await f.CommitAsync("a")));
    }

    [Fact]
    public async Task A_floor_without_a_numero_resumes_the_id_and_starts_the_day_at_1()
    {
        var options = new TicketsOptions { NumberingFloors = { [Pos1] = new NumberingFloor { LastIdTicketEntete = 41 } } };
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        Assert.Equal(("42", "2003181"), Ids(await f.CommitAsync("a")));
    }

    [Fact]
    public async Task A_floor_of_another_point_of_sale_does_not_open_this_one()
    {
        var options = new TicketsOptions { NumberingFloors = { [TicketFixture.Pos2.ToString()] = new NumberingFloor { LastIdTicketEntete = 9, LastNumeroTicket = "2003189" } } };
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        Assert.Equal(ErrorCode.NumberingOriginUnknown, (await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("a"))).Code);
        Assert.Equal(("10", "20031810"), Ids(await f.CommitAsync("b", pos: TicketFixture.Pos2)));
    }

    [Fact]
    public async Task Once_the_store_numbers_a_point_of_sale_its_floor_no_longer_counts()
    {
        var options = new TicketsOptions { NumberingFloors = { [Pos1] = new NumberingFloor { LastIdTicketEntete = 41, LastNumeroTicket = "2003187" } } };
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        Assert.Equal(("42", "2003188"), Ids(await f.CommitAsync("a")));

        // A lowered (or removed) floor after a restart must not take the numbering back.
        f.Options.NumberingFloors[Pos1] = new NumberingFloor { LastIdTicketEntete = 2, LastNumeroTicket = "2003182" };
        await f.RestartAsync();
        Assert.Equal(("43", "2003189"), Ids(await f.CommitAsync("b")));
        f.Options.NumberingFloors.Clear();
        await f.RestartAsync();
        Assert.Equal(("44", "20031810"), Ids(await f.CommitAsync("c")));
    }

    [Fact]
    public async Task StartAtOne_numbers_a_point_of_sale_VEM_cannot_tell_about_from_1()
    {
        var options = new TicketsOptions { UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne };
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        Assert.Equal(("1", "2003181"), Ids(await f.CommitAsync("a")));
        Assert.Equal(("2", "2003182"), Ids(await f.CommitAsync("b")));
    }

    [Fact]
    public async Task A_configured_floor_wins_over_StartAtOne()
    {
        var options = new TicketsOptions
        {
            UnknownNumberingOrigin = UnknownNumberingOrigin.StartAtOne,
            NumberingFloors = { [Pos1] = new NumberingFloor { LastIdTicketEntete = 7, LastNumeroTicket = "2003183" } },
        };
        await using var f = new TicketFixture(options: options, origins: new VemCannotTell());
        Assert.Equal(("8", "2003184"), Ids(await f.CommitAsync("a")));
    }

    private static (string Id, string Numero) Ids(TicketReceipt r) => (r.IdTicketEntete, r.NumeroTicket);

    /// <summary>A VEM whose caisse has no dernierTicket (the public API today): it cannot tell.</summary>
    private sealed class VemCannotTell : INumberingOriginSource
    {
        public Task<VemLastTicket> GetLastTicketAsync(PointOfSaleId pointOfSale, CancellationToken cancellationToken) => Task.FromResult(VemLastTicket.Unsupported);
    }
}
