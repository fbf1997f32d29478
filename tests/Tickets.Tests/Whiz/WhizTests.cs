using Middleware.Domain.Errors;
using Middleware.Tickets.Model;
using Middleware.Tickets.Whiz;
using Xunit;

namespace Middleware.Tickets.Tests.Whiz;

public sealed class WhizTests
{
    [Fact]
    public async Task Take_away_sale_is_pushed_to_Whiz_with_its_lines_and_status_updates_follow()
    {
        await using var f = new TicketFixture();
        var onSite = await f.CommitAsync("on-site");
        var takeAway = await f.CommitAsync("take-away", Sales.Meal(Distribution.TakeAway));
        Assert.False(await f.WhizQueue.ProcessOnceAsync(f.Whiz, CancellationToken.None));

        var (pos, order) = Assert.Single(f.Whiz.Orders);
        Assert.Equal(TicketFixture.Pos1, pos);
        Assert.Equal(takeAway.NumeroTicket, order.NumeroTicket);
        Assert.Equal(2, order.IdTypeDistribution);
        var line = Assert.Single(order.Lignes); // entry fee and subsidy are not dishes
        Assert.Equal((1201, "Menu", 1), (line.CodeArticle, line.Libelle, line.Quantite));
        Assert.Null(await f.WhizQueue.GetAsync(TicketFixture.Pos1, long.Parse(onSite.IdTicketEntete), CancellationToken.None));

        var id = long.Parse(takeAway.IdTicketEntete);
        await f.WhizQueue.EnqueueStatusAsync(TicketFixture.Pos1, id, WhizStatuses.EnPreparation, CancellationToken.None);
        await f.WhizQueue.EnqueueStatusAsync(TicketFixture.Pos1, id, WhizStatuses.Prete, CancellationToken.None);
        await f.WhizQueue.ProcessOnceAsync(f.Whiz, CancellationToken.None);
        Assert.Equal([("cmd-1", "EN_PREPARATION"), ("cmd-1", "PRETE")], f.Whiz.Statuses.ToList());
        var rec = await f.WhizQueue.GetAsync(TicketFixture.Pos1, id, CancellationToken.None);
        Assert.Equal(("Created", "cmd-1", "101", "PRETE"), (rec!.State, rec.IdCommande, rec.NumeroAppel, rec.LastStatus));
    }

    [Fact]
    public async Task Whiz_down_never_blocks_a_sale_nor_VEM_and_catches_up_later()
    {
        await using var f = new TicketFixture();
        f.Whiz.Down = true;
        var online = await f.CommitAsync("online", Sales.Meal(null) with { OnlineOrder = true });
        await f.WhizQueue.EnqueueStatusAsync(TicketFixture.Pos1, 1, WhizStatuses.Servie, CancellationToken.None);
        Assert.True(await f.WhizQueue.ProcessOnceAsync(f.Whiz, CancellationToken.None));
        Assert.Equal((1, 0), await f.DrainReadyAsync()); // VEM still gets the ticket
        var waiting = await f.WhizQueue.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(("Queued", 1), (waiting!.State, waiting.Attempts));
        Assert.Contains("unreachable", waiting.LastError);

        f.Whiz.Down = false;
        Assert.False(await f.WhizQueue.ProcessOnceAsync(f.Whiz, CancellationToken.None));
        Assert.Equal(online.NumeroTicket, Assert.Single(f.Whiz.Orders).Order.NumeroTicket);
        Assert.Equal(2, Assert.Single(f.Whiz.Orders).Order.IdTypeDistribution); // online without a distribution: take-away
        Assert.Equal([("cmd-1", "SERVIE")], f.Whiz.Statuses.ToList());
    }

    [Fact]
    public async Task Whiz_gives_up_after_max_attempts_and_the_ticket_is_unaffected()
    {
        await using var f = new TicketFixture(options: new TicketsOptions { WhizMaxAttempts = 3 });
        f.Whiz.Down = true;
        await f.CommitAsync("t", Sales.Meal(Distribution.TakeAway));
        for (var i = 0; i < 5; i++)
        {
            await f.WhizQueue.ProcessOnceAsync(f.Whiz, CancellationToken.None);
        }

        var rec = await f.WhizQueue.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(("Failed", 3), (rec!.State, rec.Attempts));
        Assert.Equal((1, 0), await f.DrainReadyAsync());
    }

    [Fact]
    public async Task Status_for_an_unknown_order_or_an_unknown_status_is_refused()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("on-site");
        var none = await Assert.ThrowsAsync<MiddlewareException>(() => f.WhizQueue.EnqueueStatusAsync(TicketFixture.Pos1, 1, WhizStatuses.Prete, CancellationToken.None));
        Assert.Equal(ErrorCode.TicketNotFound, none.Code);
        await f.CommitAsync("ta", Sales.Meal(Distribution.TakeAway));
        var bad = await Assert.ThrowsAsync<MiddlewareException>(() => f.WhizQueue.EnqueueStatusAsync(TicketFixture.Pos1, 2, "COOKED", CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidRequest, bad.Code);
    }
}
