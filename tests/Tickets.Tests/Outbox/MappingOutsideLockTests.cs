using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Mapping;
using Xunit;

namespace Middleware.Tickets.Tests.Outbox;

/// <summary>
/// Issue #18, item 5: a site's mapping script (up to its 2 s budget) must not run while the ticket writer's lock is
/// held, or one slow script would hold every other till's commit. A mapper that stays inside one point of sale's
/// mapping until released stands for that script.
/// </summary>
public sealed class MappingOutsideLockTests
{
    [Fact]
    public async Task Another_tills_commit_completes_while_a_mapping_is_still_running()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var f = new TicketFixture();
        f.Mapper = new HeldMapper(TicketFixture.Pos1, entered, release);

        var held = Task.Run(() => f.CommitAsync("held", pos: TicketFixture.Pos1));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the mapping of the first till never started");

        var other = f.CommitAsync("other", pos: TicketFixture.Pos2);
        var first = await Task.WhenAny(other, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(other, first); // committed while the first till's mapping still runs: no lock held around mappings
        Assert.Equal("1", (await other).IdTicketEntete);
        Assert.False(held.IsCompleted);

        release.Set();
        var receipt = await held.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TicketFixture.Pos1.ToString(), receipt.PointOfSale);
        Assert.Equal(2, (await f.Service.ListAsync(null, null, 10, CancellationToken.None)).Count);
    }

    private sealed class HeldMapper(PointOfSaleId held, ManualResetEventSlim entered, ManualResetEventSlim release) : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context)
        {
            if (context.PointOfSale == held)
            {
                entered.Set();
                // Bounded: a test that goes wrong fails on its own deadlines, never hangs here.
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return DefaultTicketMapper.Instance.Map(context);
        }
    }
}
