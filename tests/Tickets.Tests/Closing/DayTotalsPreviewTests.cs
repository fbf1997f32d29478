using Middleware.Domain.Tickets;
using Middleware.Tickets.Closing;
using Xunit;

namespace Middleware.Tickets.Tests.Closing;

/// <summary>Today's totals for the operator status page: the closing's sums over today's journal, nothing closed.</summary>
public sealed class DayTotalsPreviewTests
{
    [Fact]
    public async Task Today_sums_only_todays_tickets_per_point_of_sale_and_for_the_host_and_closes_nothing()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("yesterday");
        f.Time.Advance(TimeSpan.FromDays(1)); // 2020-03-19 10:00 in Paris
        await f.CommitAsync("a");
        await f.CommitAsync("b", Sales.Meal() with { Payment = new() { CodeReglement = CodeReglement.Cb }, Customer = null });
        await f.CommitAsync("other-pos", pos: TicketFixture.Pos2);
        var journal = await f.Journal.StatusAsync(CancellationToken.None);
        var preview = new DayTotalsPreview(f.Db, f.Options, f.Time);

        var days = await preview.TodayAsync(CancellationToken.None);

        Assert.Equal(["5-1-9-8-14", "5-1-9-8-15", ClosingService.Host], days.Select(d => d.PointOfSale));
        Assert.All(days, d => Assert.Equal("2020-03-19", d.Date));
        var pos1 = days[0];
        Assert.Equal((2, 5.60m, 0, 5.60m), (pos1.Sales.Tickets, pos1.Sales.TotalTtc, pos1.Refunds.Tickets, pos1.NetTtc));
        Assert.Equal([new PaymentTotal(4, 1, 2.80m), new PaymentTotal(9, 1, 2.80m)], pos1.Sales.ByPayment);
        Assert.Equal((1, 2.80m), (days[1].Sales.Tickets, days[1].NetTtc));
        Assert.Equal((3, 8.40m), (days[2].Sales.Tickets, days[2].NetTtc));

        // A preview is not a closing: the journal has no new entry, and the day still closes with its tickets.
        Assert.Equal(journal.Entries, (await f.Journal.StatusAsync(CancellationToken.None)).Entries);
        Assert.Empty(await f.Closings.ListAsync(null, null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_day_without_tickets_gives_the_host_row_at_zero()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("yesterday");
        f.Time.Advance(TimeSpan.FromDays(1));

        var day = Assert.Single(await new DayTotalsPreview(f.Db, f.Options, f.Time).TodayAsync(CancellationToken.None));

        Assert.Equal((ClosingService.Host, 0, 0m), (day.PointOfSale, day.Sales.Tickets, day.NetTtc));
    }
}
