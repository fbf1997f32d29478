using Middleware.Domain.Tickets;
using Middleware.Tickets.Closing;
using Middleware.Tickets.Journal;
using Xunit;

namespace Middleware.Tickets.Tests.Closing;

/// <summary>Day, month and year closings computed from the journal of a real store.</summary>
public sealed class ClosingTests
{
    [Fact]
    public async Task A_day_closing_sums_its_tickets_by_payment_vat_and_profile_and_names_the_first_and_last()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a");
        await f.CommitAsync("b");
        await f.CommitAsync("c", Sales.Meal() with { Payment = new() { CodeReglement = CodeReglement.Cb }, Customer = null });
        await f.CommitAsync("other-pos", pos: TicketFixture.Pos2);

        var day = await f.Closings.CloseAsync("day", "5-1-9-8-14", "test", CancellationToken.None);

        Assert.Equal(("day/5-1-9-8-14/1", 1L, "2020-03-18"), (day.Id, day.Number, day.Label));
        Assert.Equal(3, day.Sales.Tickets);
        Assert.Equal(8.40m, day.Sales.TotalTtc); // 3 × 2.80
        Assert.Equal(0, day.Refunds.Tickets);
        Assert.Equal([new PaymentTotal(4, 1, 2.80m), new PaymentTotal(9, 2, 5.60m)], day.Sales.ByPayment);
        var vat = Assert.Single(day.Sales.ByVat);
        Assert.Equal((1, 10m, 8.40m), (vat.CodeTva, vat.Rate!.Value, vat.TotalTtc));
        Assert.Equal(vat.TotalTtc - vat.TotalHt, vat.TotalVat);
        Assert.Equal(day.Sales.TotalTtc - day.Sales.TotalHt, day.Sales.TotalVat);
        Assert.Equal([new ProfileTotal(0, 0, 1, 2.80m), new ProfileTotal(10, 1, 2, 5.60m)], day.Sales.ByProfile);
        var range = Assert.Single(day.TicketRanges);
        Assert.Equal(("1", "3", 3), (range.FirstIdTicketEntete, range.LastIdTicketEntete, range.Count));
        Assert.Equal(8.40m, day.GrandTotalTtc);
        Assert.Equal(f.JournalWriter.Key.KeyId, day.KeyId);
    }

    [Fact]
    public async Task A_closing_is_final_later_sales_go_to_the_next_one_and_the_grand_total_runs_on()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a");
        var first = await f.Closings.CloseAsync("day", "5-1-9-8-14", "test", CancellationToken.None);
        f.Time.Advance(TimeSpan.FromDays(1));
        await f.CommitAsync("b");
        await f.CommitAsync("c");
        var second = await f.Closings.CloseAsync("day", "5-1-9-8-14", "test", CancellationToken.None);

        Assert.Equal(1, first.Sales.Tickets);
        Assert.Equal(2, second.Sales.Tickets);
        Assert.Equal((first.Id, "2020-03-19"), (second.PreviousId, second.Label));
        Assert.Equal(first.JournalSeq, second.AfterSeq);
        Assert.Equal(8.40m, second.GrandTotalTtc);
        Assert.Equal(("2", "3"), (second.TicketRanges[0].FirstIdTicketEntete, second.TicketRanges[0].LastIdTicketEntete));
        // The closings are journal entries: the journal still verifies.
        Assert.True((await f.Journal.VerifyAsync(true, CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task A_host_closing_closes_every_point_of_sale_then_sums_them_and_month_and_year_sum_the_days()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a", pos: TicketFixture.Pos1);
        await f.CommitAsync("b", pos: TicketFixture.Pos2);
        await f.CommitAsync("c", pos: TicketFixture.Pos2);
        var host1 = await f.Closings.CloseAsync("day", ClosingService.Host, "op", CancellationToken.None);
        Assert.Equal(["day/5-1-9-8-14/1", "day/5-1-9-8-15/1"], host1.Parts);
        Assert.Equal((3, 8.40m), (host1.Sales.Tickets, host1.Sales.TotalTtc));
        Assert.Equal(2, host1.TicketRanges.Count);

        f.Time.Advance(TimeSpan.FromDays(1));
        await f.CommitAsync("d", pos: TicketFixture.Pos1);
        var host2 = await f.Closings.CloseAsync("day", ClosingService.Host, "op", CancellationToken.None);
        Assert.Equal(["day/5-1-9-8-14/2"], host2.Parts); // 5-1-9-8-15 had no sale and is not configured
        Assert.Equal(11.20m, host2.GrandTotalTtc);

        // March is not over: nothing to close yet.
        var early = await Assert.ThrowsAsync<Domain.Errors.MiddlewareException>(() => f.Closings.CloseAsync("month", ClosingService.Host, "op", CancellationToken.None));
        Assert.Contains("2020-03 is not over", early.Message, StringComparison.Ordinal);
        f.Time.Advance(TimeSpan.FromDays(20)); // April: a day closed now is April's, March is complete
        await f.CommitAsync("april", pos: TicketFixture.Pos1);
        var april = await f.Closings.CloseAsync("day", ClosingService.Host, "op", CancellationToken.None);
        var month = await f.Closings.CloseAsync("month", ClosingService.Host, "op", CancellationToken.None);
        Assert.Equal(("month/host/1", "2020-03"), (month.Id, month.Label));
        Assert.Equal([host1.Id, host2.Id], month.Parts);
        Assert.Equal((4, 11.20m), (month.Sales.Tickets, month.Sales.TotalTtc));
        // The month's journal entries are archived, signed, and check offline.
        Assert.Equal(Path.Combine(f.JournalOptions.ArchiveDirectory, "journal-month-2020-03-1.json"), month.ArchivePath);
        var archived = JournalArchive.Verify(month.ArchivePath!, f.JournalWriter.Key.KeyId, f.Time.GetUtcNow());
        Assert.True(archived.Intact, string.Join("; ", archived.Problems.Select(p => p.Detail)));
        Assert.Equal(month.JournalSeq, archived.LastSeq);
        await Assert.ThrowsAsync<Domain.Errors.MiddlewareException>(() => f.Closings.CloseAsync("year", ClosingService.Host, "op", CancellationToken.None));
        f.Time.Advance(TimeSpan.FromDays(300)); // 2021: the year closes April's month on the way, then 2020
        var year = await f.Closings.CloseAsync("year", ClosingService.Host, "op", CancellationToken.None);
        Assert.Equal(("year/host/1", "2020", 14.00m, 14.00m), (year.Id, year.Label, year.Sales.TotalTtc, year.GrandTotalTtc));
        Assert.Equal(["month/host/1", "month/host/2"], year.Parts);
        Assert.Equal([april.Id], (await f.Closings.GetAsync("month/host/2", CancellationToken.None))!.Parts);

        var listed = await f.Closings.ListAsync(ClosingService.Host, "day", 10, CancellationToken.None);
        Assert.Equal([april.Id, host2.Id, host1.Id], listed.Select(c => c.Id));
        var read = (await f.Closings.GetAsync(month.Id, CancellationToken.None))!;
        Assert.Equal((month.Id, month.JournalSeq, month.NetTtc, month.GrandTotalTtc, month.Parts.Count), (read.Id, read.JournalSeq, read.NetTtc, read.GrandTotalTtc, read.Parts.Count));
    }

    [Fact]
    public async Task A_repeated_request_answers_the_closing_it_made_and_closes_nothing_more_even_after_a_restart()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a");
        var first = await f.Closings.CloseAsync("day", ClosingService.Host, "op", "5-1-9-8-14:req-1", CancellationToken.None);
        await f.RestartAsync();
        await f.CommitAsync("b");
        var again = await f.Closings.CloseAsync("day", ClosingService.Host, "op", "5-1-9-8-14:req-1", CancellationToken.None);
        Assert.Equal((first.Id, first.JournalSeq, first.NetTtc), (again.Id, again.JournalSeq, again.NetTtc));
        Assert.Single(await f.Closings.ListAsync(ClosingService.Host, "day", 10, CancellationToken.None));
        var next = await f.Closings.CloseAsync("day", ClosingService.Host, "op", "5-1-9-8-14:req-2", CancellationToken.None);
        Assert.Equal(("day/host/2", 1), (next.Id, next.Sales.Tickets));
    }

    [Fact]
    public async Task A_month_closed_late_keeps_its_own_days_and_the_next_days_wait_for_their_month()
    {
        await using var f = new TicketFixture(); // 2020-03-18
        await f.CommitAsync("march");
        await f.Closings.CloseAsync("day", "5-1-9-8-14", "op", CancellationToken.None);
        f.Time.Advance(TimeSpan.FromDays(15)); // 2 April: a day of April is closed before March's month
        await f.CommitAsync("april");
        await f.Closings.CloseAsync("day", "5-1-9-8-14", "op", CancellationToken.None);
        var march = await f.Closings.CloseAsync("month", "5-1-9-8-14", "op", CancellationToken.None);
        Assert.Equal(("2020-03", 1), (march.Label, march.Sales.Tickets));
        Assert.Equal(["day/5-1-9-8-14/1"], march.Parts);
        f.Time.Advance(TimeSpan.FromDays(30)); // May
        var april = await f.Closings.CloseAsync("month", "5-1-9-8-14", "op", CancellationToken.None);
        Assert.Equal(("2020-04", 5.60m), (april.Label, april.GrandTotalTtc));
        Assert.Equal(["day/5-1-9-8-14/2"], april.Parts);
    }

    [Fact]
    public async Task Open_items_are_listed_and_carried_forward_until_settled()
    {
        await using var f = new TicketFixture();
        f.Uploader.Behaviour = (_, _) => Middleware.Tickets.Sending.TicketUploadResponse.Rejected("E", "refused");
        await f.CommitAsync("a");
        await f.DrainReadyAsync();
        f.PaymentOpenItems.Add(new OpenItem("paymentUnknown", "5-1-9-8-14", "req-9", 3.30m, f.Time.GetUtcNow(), "Izly answer lost"));
        var first = await f.Closings.CloseAsync("day", "5-1-9-8-14", "test", CancellationToken.None);
        Assert.Equal(["paymentUnknown", "ticketDead"], first.OpenItems.Select(i => i.Kind).Order());
        Assert.All(first.OpenItems, i => Assert.Null(i.CarriedFrom));

        f.PaymentOpenItems.Clear(); // settled since
        var second = await f.Closings.CloseAsync("day", "5-1-9-8-14", "test", CancellationToken.None);
        var carried = Assert.Single(second.OpenItems);
        Assert.Equal(("ticketDead", first.Id), (carried.Kind, carried.CarriedFrom));
        var third = await f.Closings.CloseAsync("day", "5-1-9-8-14", "test", CancellationToken.None);
        Assert.Equal(first.Id, Assert.Single(third.OpenItems).CarriedFrom);
    }

    [Fact]
    public async Task Bad_period_or_scope_is_refused()
    {
        await using var f = new TicketFixture();
        await Assert.ThrowsAsync<Domain.Errors.MiddlewareException>(() => f.Closings.CloseAsync("week", ClosingService.Host, "t", CancellationToken.None));
        await Assert.ThrowsAsync<Domain.Errors.MiddlewareException>(() => f.Closings.CloseAsync("day", "somewhere", "t", CancellationToken.None));
        Assert.Empty(await f.Closings.ListAsync(null, null, 10, CancellationToken.None));
        _ = JournalKinds.Closing;
    }
}
