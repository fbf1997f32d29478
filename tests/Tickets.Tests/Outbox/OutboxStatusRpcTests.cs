using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Tickets.Rpc;
using Xunit;

namespace Middleware.Tickets.Tests.Outbox;

/// <summary>outbox.status: a till sees its own point of sale; <c>allPointsOfSale</c> (what <c>mwctl outbox replay
/// --all-dead --all-pos</c> reads) is for operator accounts only.</summary>
public sealed class OutboxStatusRpcTests
{
    [Fact]
    public async Task A_till_sees_its_own_point_of_sale_and_is_refused_all_of_them_an_operator_gets_every_one()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r-1", pos: TicketFixture.Pos1);
        await f.CommitAsync("r-2", pos: TicketFixture.Pos2);
        var target = new TicketsRpcTarget(f.Service, f.WhizQueue);

        TillContext.Current = new TillContext(TicketFixture.Pos1, "caisse-14", "c1", "uid 1001 (caisse)");
        var own = await target.OutboxStatusAsync(cancellationToken: CancellationToken.None);
        Assert.Equal(["5-1-9-8-14"], own.PointsOfSale.Select(p => p.PointOfSale));
        var refused = await Assert.ThrowsAsync<MiddlewareException>(() => target.OutboxStatusAsync(allPointsOfSale: true, CancellationToken.None));
        Assert.Equal(ErrorCode.OperatorOnly, refused.Code);

        TillContext.Current = new TillContext(TicketFixture.Pos1, "mwctl", "c2", "uid 0 (root)", IsOperator: true);
        var all = await target.OutboxStatusAsync(allPointsOfSale: true, CancellationToken.None);
        Assert.Equal(["5-1-9-8-14", "5-1-9-8-15"], all.PointsOfSale.Select(p => p.PointOfSale));
        Assert.Equal(2, all.Pending);
    }
}
