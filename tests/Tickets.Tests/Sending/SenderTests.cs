using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Tickets.Mapping;
using Middleware.Tickets.Model;
using Middleware.Tickets.Sending;
using Middleware.Tickets.Storage;
using Xunit;

namespace Middleware.Tickets.Tests.Sending;

public sealed class SenderTests
{
    [Fact]
    public async Task Uploads_in_order_per_point_of_sale_and_marks_sent()
    {
        await using var f = new TicketFixture(options: new TicketsOptions { BatchSize = 7 });
        for (var i = 0; i < 40; i++)
        {
            await f.CommitAsync("r" + i, pos: i % 3 == 0 ? TicketFixture.Pos2 : TicketFixture.Pos1);
        }

        var (sent, dead) = await f.DrainReadyAsync();
        Assert.Equal((40, 0), (sent, dead));
        var ids1 = f.Uploader.IdsFor(TicketFixture.Pos1).Select(long.Parse).ToList();
        var ids2 = f.Uploader.IdsFor(TicketFixture.Pos2).Select(long.Parse).ToList();
        Assert.Equal(Enumerable.Range(1, 26).Select(i => (long)i), ids1);
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), ids2);
        var status = await f.Service.GetOutboxStatusAsync(null, CancellationToken.None);
        Assert.Equal((0, 40, 0), (status.Pending, status.Sent, status.Dead));
        Assert.Null(status.OldestPendingAgeSeconds);
        var one = await f.Service.GetAsync(TicketFixture.Pos1, 3, CancellationToken.None);
        Assert.Equal(TicketState.Sent, one!.State);
        Assert.Equal(1, one.Attempts);
        Assert.NotNull(one.SentAt);

        // A second pass sends nothing again.
        Assert.Equal((0, 0), await f.DrainReadyAsync());
        Assert.Equal(40, f.Uploader.Calls.Count);
    }

    [Fact]
    public async Task Transient_failure_holds_back_later_tickets_of_that_point_of_sale_only()
    {
        await using var f = new TicketFixture();
        for (var i = 0; i < 4; i++)
        {
            await f.CommitAsync("a" + i, pos: TicketFixture.Pos1);
            await f.CommitAsync("b" + i, pos: TicketFixture.Pos2);
        }

        var failOnce = true;
        f.Uploader.Behaviour = (pos, t) =>
        {
            if (pos == TicketFixture.Pos1 && t.IdTicketEntete == "2" && failOnce)
            {
                failOnce = false;
                return TicketUploadResponse.Transient("HTTP 503");
            }

            return TicketUploadResponse.Integrated;
        };

        var first = await f.DrainReadyAsync();
        Assert.Equal(5, first.Sent); // Pos1: 1 only; Pos2: 1..4
        Assert.Equal(["1", "2"], f.Uploader.IdsFor(TicketFixture.Pos1));
        var pending = await f.Service.GetAsync(TicketFixture.Pos1, 2, CancellationToken.None);
        Assert.Equal((TicketState.Pending, 1, "HTTP 503"), (pending!.State, pending.Attempts, pending.LastError));

        // Within the backoff nothing is tried.
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await f.DrainReadyAsync();
        Assert.Equal(2, f.Uploader.IdsFor(TicketFixture.Pos1).Count);

        f.Time.Advance(TimeSpan.FromSeconds(2)); // beyond 2 s ± 20 %
        await f.DrainReadyAsync();
        Assert.Equal(["1", "2", "2", "3", "4"], f.Uploader.IdsFor(TicketFixture.Pos1));
        Assert.Equal(0, (await f.Service.GetOutboxStatusAsync(null, CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task A_throwing_uploader_is_a_transient_failure()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a");
        f.Uploader.Behaviour = (_, _) => throw new HttpRequestException("connection refused");
        var r = await f.Sender.SendPassAsync(CancellationToken.None);
        Assert.Equal(0, r.Sent);
        Assert.NotNull(r.NextRetryAt);
        var rec = await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(TicketState.Pending, rec!.State);
        Assert.Contains("connection refused", rec.LastError);
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_is_capped()
    {
        var options = new TicketsOptions { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromMinutes(5), BackoffJitter = 0.2 };
        var sender = new TicketSender(null!, options, new RecordingUploader(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<TicketSender>.Instance);
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(sender.Backoff(1).TotalSeconds, 1.6, 2.4);
            Assert.InRange(sender.Backoff(3).TotalSeconds, 6.4, 9.6);
            Assert.InRange(sender.Backoff(40).TotalSeconds, 240, 360);
        }

        Assert.True(Enumerable.Range(0, 50).Select(_ => sender.Backoff(2)).Distinct().Count() > 1, "jitter spreads retries");
    }

    [Fact]
    public async Task Rejected_ticket_goes_to_dead_letters_and_the_queue_continues()
    {
        await using var f = new TicketFixture();
        for (var i = 0; i < 3; i++)
        {
            await f.CommitAsync("r" + i);
        }

        f.Uploader.Behaviour = (_, t) => t.IdTicketEntete == "2" ? TicketUploadResponse.Rejected("-70", "LINE_ARTICLE (line 1): codeArticle 1201 does not exist") : TicketUploadResponse.Integrated;
        var (sent, dead) = await f.DrainReadyAsync();
        Assert.Equal((2, 1), (sent, dead));

        var status = await f.Service.GetOutboxStatusAsync(TicketFixture.Pos1, CancellationToken.None);
        Assert.Equal((0, 2, 1), (status.Pending, status.Sent, status.Dead));
        var pos = Assert.Single(status.PointsOfSale);
        Assert.Contains("LINE_ARTICLE", pos.LastError);
        var deadList = await f.Service.ListAsync(TicketFixture.Pos1, TicketState.Dead, 10, CancellationToken.None);
        var d = Assert.Single(deadList);
        Assert.Equal(("2", "-70"), (d.IdTicketEntete, d.ErrorCode));
        Assert.Null(d.Ticket);

        // Kept: more passes do not touch it.
        await f.DrainReadyAsync();
        Assert.Equal(3, f.Uploader.Calls.Count);
    }

    [Fact]
    public async Task Dead_ticket_replayed_as_is_after_a_fix_upstream()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r");
        var vemKnowsArticle = false;
        f.Uploader.Behaviour = (_, _) => vemKnowsArticle ? TicketUploadResponse.Integrated : TicketUploadResponse.Rejected("-70", "unknown article");
        await f.DrainReadyAsync();
        Assert.Equal(TicketState.Dead, (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.State);

        vemKnowsArticle = true;
        var replayed = await f.Service.ReplayAsync(TicketFixture.Pos1, 1, remap: false, CancellationToken.None);
        Assert.Equal((TicketState.Pending, 1, 0), (replayed.State, replayed.Replays, replayed.Attempts));
        await f.DrainReadyAsync();
        var rec = await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(TicketState.Sent, rec!.State);
        var calls = f.Uploader.Calls.ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(calls[0].Ticket, VemJson.Options), System.Text.Json.JsonSerializer.Serialize(calls[1].Ticket, VemJson.Options)); // same ticket, as-is
        var again = await Assert.ThrowsAsync<MiddlewareException>(() => f.Service.ReplayAsync(TicketFixture.Pos1, 1, false, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidRequest, again.Code);
    }

    [Fact]
    public async Task Dead_ticket_replayed_after_an_edit_via_the_mapper_keeps_its_numbers()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r");
        await f.CommitAsync("s");
        // VEM refuses tickets carrying an entry-fee line (e.g. the site must not send it).
        f.Uploader.Behaviour = (_, t) => t.ListeLignes.Any(l => l.CodeArticle == 9100) ? TicketUploadResponse.Rejected("-70", "entry fee not expected") : TicketUploadResponse.Integrated;
        await f.DrainReadyAsync();
        Assert.Equal(2, (await f.Service.ListAsync(TicketFixture.Pos1, TicketState.Dead, 10, CancellationToken.None)).Count);

        // Fix: a mapper that folds the entry fee into the meal.
        f.Mapper = new FoldEntryFeeMapper();
        await f.Service.ReplayAsync(TicketFixture.Pos1, 1, remap: true, CancellationToken.None);
        await f.DrainReadyAsync();
        var rec = await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal(TicketState.Sent, rec!.State);
        Assert.Equal(("1", "2003181"), (rec.Ticket!.IdTicketEntete, rec.Ticket.NumeroTicket));
        Assert.DoesNotContain(rec.Ticket.ListeLignes, l => l.CodeArticle == 9100);
        Assert.Equal(2.80m, rec.Ticket.ListeReglements[0].Montant);
        Assert.Equal(TicketState.Dead, (await f.Service.GetAsync(TicketFixture.Pos1, 2, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Remap_replay_that_is_still_incoherent_is_refused_and_changes_nothing()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r");
        f.Uploader.Behaviour = (_, _) => TicketUploadResponse.Rejected("-70", "no");
        await f.DrainReadyAsync();
        f.Catalog.Articles.TryRemove(9100, out _); // reference data changed: the entry fee article is gone
        var ex = await Assert.ThrowsAsync<MiddlewareException>(() => f.Service.ReplayAsync(TicketFixture.Pos1, 1, remap: true, CancellationToken.None));
        Assert.Equal(ErrorCode.TicketInvalid, ex.Code);
        Assert.Contains("LINE_ARTICLE (line 2)", ex.Message);
        Assert.Equal(TicketState.Dead, (await f.Service.GetAsync(TicketFixture.Pos1, 1, CancellationToken.None))!.State);
        var missing = await Assert.ThrowsAsync<MiddlewareException>(() => f.Service.ReplayAsync(TicketFixture.Pos1, 77, false, CancellationToken.None));
        Assert.Equal(ErrorCode.TicketNotFound, missing.Code);
    }

    [Fact]
    public async Task Offline_for_hours_tills_keep_selling_and_the_backlog_drains_in_order()
    {
        await using var f = new TicketFixture();
        var vemUp = false;
        f.Uploader.Behaviour = (_, _) => vemUp ? TicketUploadResponse.Integrated : TicketUploadResponse.Transient("connection refused");
        var committed = 0;
        var passes = 0;
        // Three hours of selling with VEM down: a sale every minute at each point of sale, the sender running its loop.
        for (var minute = 0; minute < 180; minute++)
        {
            await f.CommitAsync("a" + minute, pos: TicketFixture.Pos1);
            await f.CommitAsync("b" + minute, pos: TicketFixture.Pos2);
            committed += 2;
            var pass = await f.Sender.SendPassAsync(CancellationToken.None);
            Assert.Equal(0, pass.Sent);
            passes++;
            f.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var status = await f.Service.GetOutboxStatusAsync(null, CancellationToken.None);
        Assert.Equal(committed, status.Pending);
        Assert.InRange(status.OldestPendingAgeSeconds!.Value, 3 * 3600 - 61, 3 * 3600);
        // Backoff capped at 5 min ± 20 %: far fewer attempts than passes.
        Assert.InRange(f.Uploader.Calls.Count, 2, passes);

        vemUp = true;
        f.Time.Advance(TimeSpan.FromMinutes(7)); // past the longest backoff
        var drained = await f.DrainReadyAsync();
        Assert.Equal(committed, drained.Sent);
        foreach (var pos in new[] { TicketFixture.Pos1, TicketFixture.Pos2 })
        {
            var accepted = f.Uploader.Calls.Where(c => c.Pos == pos).Select(c => long.Parse(c.Ticket.IdTicketEntete)).ToList();
            // The failed attempts all were ticket 1 (the head); then 1..180 in order.
            Assert.All(accepted.Take(accepted.Count - 180), id => Assert.Equal(1, id));
            Assert.Equal(Enumerable.Range(1, 180).Select(i => (long)i), accepted.Skip(accepted.Count - 180));
        }

        Assert.Equal(0, (await f.Service.GetOutboxStatusAsync(null, CancellationToken.None)).Pending);
    }

    private sealed class FoldEntryFeeMapper : ITicketMapper
    {
        public VemTicket Map(TicketMappingContext context)
        {
            var sale = context.Sale;
            var fee = sale.Lines.Where(l => l.Kind == SaleLineKind.EntryFee).Sum(l => l.UnitPriceTtc * l.Quantity);
            var lines = sale.Lines.Where(l => l.Kind != SaleLineKind.EntryFee)
                .Select((l, i) => i == 0 ? l with { UnitPriceTtc = l.UnitPriceTtc + fee } : l).ToList();
            return VemTicketBuilder.Build(context with { Sale = sale with { Lines = lines } });
        }
    }
}

public sealed class SenderQueryPlanTests
{
    [Fact]
    public async Task The_next_batch_is_found_through_the_state_index_not_by_reading_every_sent_ticket()
    {
        await using var f = new TicketFixture(options: new TicketsOptions { BatchSize = 50 });
        for (var i = 0; i < 120; i++)
        {
            await f.CommitAsync("s" + i, pos: TicketFixture.Pos1);
        }

        Assert.Equal((120, 0), await f.DrainReadyAsync());
        await f.CommitAsync("late", pos: TicketFixture.Pos1);

        using var c = f.Db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + TicketSender.PendingBatchSql;
        cmd.Parameters.AddWithValue("$p", TicketFixture.Pos1.ToString());
        cmd.Parameters.AddWithValue("$l", 50);
        var plan = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                plan.Add(r.GetString(3));
            }
        }

        // One search of the (state, pos, id) index, already in id order: no walk of the table, no sort.
        Assert.Equal(["SEARCH tickets USING INDEX ix_tickets_state (state=? AND pos=?)"], plan);

        // outbox.list by state goes through the same index, in (pos, id) order, with or without a point of sale.
        var pending = Assert.Single(await f.Service.ListAsync(null, TicketState.Pending, 10, CancellationToken.None));
        Assert.Equal((TicketFixture.Pos1.ToString(), "121"), (pending.PointOfSale, pending.IdTicketEntete));
        var sent = await f.Service.ListAsync(TicketFixture.Pos1, TicketState.Sent, 5, CancellationToken.None);
        Assert.Equal(["1", "2", "3", "4", "5"], sent.Select(t => t.IdTicketEntete));

        // And the batch it loads is the one pending ticket.
        Assert.Equal((1, 0), await f.DrainReadyAsync());
        Assert.Equal("121", f.Uploader.IdsFor(TicketFixture.Pos1).Last());
    }
}
