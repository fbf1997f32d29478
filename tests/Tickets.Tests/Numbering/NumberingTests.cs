using Microsoft.Extensions.Time.Testing;
using Middleware.Domain.Errors;
using Middleware.Tickets.Numbering;
using Xunit;

namespace Middleware.Tickets.Tests.Numbering;

public sealed class TicketNumberingTests
{
    [Fact]
    public void Daily_sequence_follows_the_date_without_padding()
    {
        var state = NumberingState.Initial;
        var numeros = new List<string>();
        for (var i = 0; i < 149; i++)
        {
            (state, _, var numero) = TicketNumbering.Next(state, "200318");
            numeros.Add(numero);
        }

        Assert.Equal("2003181", numeros[0]);
        Assert.Equal("20031810", numeros[9]);
        Assert.Equal("200318149", numeros[148]);
        Assert.Equal(149, state.LastId);
    }

    [Fact]
    public void New_day_restarts_the_sequence_but_not_the_id()
    {
        var (s, id1, n1) = TicketNumbering.Next(new NumberingState(41, "200318", 7), "200319");
        Assert.Equal((42L, "2003191"), (id1, n1));
        Assert.Equal(new NumberingState(42, "200319", 1), s);
    }

    [Fact]
    public void Clock_stepping_back_over_midnight_never_reuses_a_number()
    {
        var (_, _, numero) = TicketNumbering.Next(new NumberingState(10, "200319", 3), "200318");
        Assert.Equal("2003194", numero);
    }

    [Theory]
    [InlineData("2020-03-18T22:59:59Z", "200318")] // 23:59:59 CET
    [InlineData("2020-03-18T23:00:00Z", "200319")] // midnight CET
    [InlineData("2026-03-28T23:30:00Z", "260329")] // 00:30 CET, night of the spring change
    [InlineData("2026-03-29T21:59:59Z", "260329")] // 23:59:59 CEST
    [InlineData("2026-03-29T22:00:00Z", "260330")] // midnight CEST
    [InlineData("2026-10-24T21:59:59Z", "261024")] // 23:59:59 CEST
    [InlineData("2026-10-24T22:00:00Z", "261025")] // midnight CEST, night of the autumn change
    [InlineData("2026-10-25T22:59:59Z", "261025")] // 23:59:59 CET
    [InlineData("2026-10-25T23:00:00Z", "261026")] // midnight CET
    public void Local_day_follows_Paris_midnight_across_DST(string utc, string day) =>
        Assert.Equal(day, TicketNumbering.LocalDay(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), TicketNumbering.FindZone("Europe/Paris")));

    [Fact]
    public void Unknown_zone_is_a_clear_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => TicketNumbering.FindZone("Mars/Olympus"));
        Assert.Contains("Mars/Olympus", ex.Message);
    }
}

/// <summary>Numbering through the real commit path, on a real SQLite file, with an injected clock.</summary>
public sealed class CommitNumberingTests
{
    [Fact]
    public async Task Numbers_across_Paris_midnight_in_winter()
    {
        await using var f = new TicketFixture(time: new FakeTimeProvider(DateTimeOffset.Parse("2020-03-18T22:59:58Z", System.Globalization.CultureInfo.InvariantCulture)));
        var a = await f.CommitAsync("a");
        var b = await f.CommitAsync("b");
        f.Time.Advance(TimeSpan.FromSeconds(2)); // 00:00:00 local on the 19th
        var c = await f.CommitAsync("c");
        var d = await f.CommitAsync("d");
        Assert.Equal(["2003181", "2003182", "2003191", "2003192"], new[] { a, b, c, d }.Select(r => r.NumeroTicket));
        Assert.Equal(["1", "2", "3", "4"], new[] { a, b, c, d }.Select(r => r.IdTicketEntete));
        Assert.Equal(TimeSpan.FromHours(1), c.Date.Offset);
        Assert.Equal(new DateTime(2020, 3, 19, 0, 0, 0), c.Date.DateTime);
    }

    [Fact]
    public async Task Numbers_across_the_spring_and_autumn_DST_changes()
    {
        // 2026-03-29: 02:00 CET -> 03:00 CEST. The day does not change at the jump; it changes at 22:00Z (midnight CEST).
        await using var f = new TicketFixture(time: new FakeTimeProvider(DateTimeOffset.Parse("2026-03-29T00:59:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        var beforeJump = await f.CommitAsync("1");
        f.Time.Advance(TimeSpan.FromMinutes(2)); // 03:01 CEST
        var afterJump = await f.CommitAsync("2");
        f.Time.SetUtcNow(DateTimeOffset.Parse("2026-03-29T21:59:59Z", System.Globalization.CultureInfo.InvariantCulture));
        var lastOfDay = await f.CommitAsync("3");
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var firstOfNext = await f.CommitAsync("4");
        Assert.Equal(["2603291", "2603292", "2603293", "2603301"], new[] { beforeJump, afterJump, lastOfDay, firstOfNext }.Select(r => r.NumeroTicket));
        Assert.Equal(TimeSpan.FromHours(1), beforeJump.Date.Offset);
        Assert.Equal(TimeSpan.FromHours(2), afterJump.Date.Offset);

        // 2026-10-25: 03:00 CEST -> 02:00 CET; the repeated hour stays on the 25th; midnight of the 26th is 23:00Z.
        f.Time.SetUtcNow(DateTimeOffset.Parse("2026-10-25T00:30:00Z", System.Globalization.CultureInfo.InvariantCulture)); // 02:30 CEST
        var firstTwoThirty = await f.CommitAsync("5");
        f.Time.Advance(TimeSpan.FromHours(1)); // 02:30 CET, the same wall time again
        var secondTwoThirty = await f.CommitAsync("6");
        f.Time.SetUtcNow(DateTimeOffset.Parse("2026-10-25T22:59:59Z", System.Globalization.CultureInfo.InvariantCulture));
        var late = await f.CommitAsync("7");
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var next = await f.CommitAsync("8");
        Assert.Equal(["2610251", "2610252", "2610253", "2610261"], new[] { firstTwoThirty, secondTwoThirty, late, next }.Select(r => r.NumeroTicket));
        Assert.Equal(firstTwoThirty.Date.DateTime, secondTwoThirty.Date.DateTime);
        Assert.NotEqual(firstTwoThirty.Date.Offset, secondTwoThirty.Date.Offset);
        Assert.Equal("8", next.IdTicketEntete);
    }

    [Fact]
    public async Task Point_of_sale_time_zone_is_a_setting()
    {
        var options = new TicketsOptions { VersionLogiciel = "1" };
        options.TimeZones[TicketFixture.Pos2.ToString()] = "Pacific/Noumea"; // UTC+11
        await using var f = new TicketFixture(time: new FakeTimeProvider(DateTimeOffset.Parse("2020-03-18T13:30:00Z", System.Globalization.CultureInfo.InvariantCulture)), options: options);
        var paris = await f.CommitAsync("a", pos: TicketFixture.Pos1);
        var noumea = await f.CommitAsync("a", pos: TicketFixture.Pos2);
        Assert.Equal("2003181", paris.NumeroTicket);
        Assert.Equal("2003191", noumea.NumeroTicket); // already 00:30 on the 19th in Nouméa
        Assert.Equal(TimeSpan.FromHours(11), noumea.Date.Offset);
    }

    [Fact]
    public async Task Each_point_of_sale_keeps_its_own_sequence()
    {
        await using var f = new TicketFixture();
        var ids = new List<(string Pos, string Id, string Numero)>();
        for (var i = 0; i < 5; i++)
        {
            foreach (var pos in new[] { TicketFixture.Pos1, TicketFixture.Pos2 })
            {
                var r = await f.CommitAsync("r" + i, pos: pos);
                ids.Add((r.PointOfSale, r.IdTicketEntete, r.NumeroTicket));
            }
        }

        foreach (var pos in new[] { TicketFixture.Pos1, TicketFixture.Pos2 })
        {
            var mine = ids.Where(x => x.Pos == pos.ToString()).ToList();
            Assert.Equal(["1", "2", "3", "4", "5"], mine.Select(x => x.Id));
            Assert.Equal(["2003181", "2003182", "2003183", "2003184", "2003185"], mine.Select(x => x.Numero));
        }
    }

    [Fact]
    public async Task Refused_tickets_leave_no_gap()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("ok-1");
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.CommitAsync("bad", Sales.UnknownArticle()));
        Assert.Equal(ErrorCode.TicketInvalid, ex.Code);
        Assert.Contains("LINE_ARTICLE (line 1)", ex.Message);
        var violations = Assert.IsAssignableFrom<IReadOnlyList<Domain.Tickets.TicketViolation>>(ex.Payload);
        Assert.Equal(Domain.Tickets.TicketRules.LineArticle, violations[0].Rule);
        var next = await f.CommitAsync("ok-2");
        Assert.Equal(("2", "2003182"), (next.IdTicketEntete, next.NumeroTicket));
        Assert.Null(await f.Service.GetByRequestIdAsync(TicketFixture.Pos1, "bad", CancellationToken.None));
    }

    [Fact]
    public async Task Numbering_survives_a_restart()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a");
        await f.CommitAsync("b");
        await f.RestartAsync();
        var c = await f.CommitAsync("c");
        Assert.Equal(("3", "2003183"), (c.IdTicketEntete, c.NumeroTicket));
        var again = await f.CommitAsync("a");
        Assert.True(again.AlreadyCommitted);
        Assert.Equal("1", again.IdTicketEntete);
    }

    [Fact]
    public async Task Concurrent_commits_get_unique_gap_free_numbers()
    {
        await using var f = new TicketFixture();
        var receipts = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() => f.CommitAsync("r" + i, pos: i % 2 == 0 ? TicketFixture.Pos1 : TicketFixture.Pos2))));
        foreach (var group in receipts.GroupBy(r => r.PointOfSale))
        {
            Assert.Equal(Enumerable.Range(1, 150).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), group.Select(r => r.IdTicketEntete).OrderBy(long.Parse));
            Assert.Equal(150, group.Select(r => r.NumeroTicket).Distinct().Count());
            Assert.All(group, r => Assert.Equal("200318" + r.IdTicketEntete, r.NumeroTicket));
        }
    }
}
