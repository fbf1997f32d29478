using Middleware.Tickets.Sending;
using Middleware.Tickets.Storage;
using Xunit;

namespace Middleware.Tickets.Tests.Outbox;

/// <summary>outbox.show's data: one ticket's body, its sale and its history (commit, upload outcomes, replays).</summary>
public sealed class TicketHistoryTests
{
    [Fact]
    public async Task Detail_has_the_body_the_sale_and_every_upload_outcome_and_replay_in_order()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("r-1", pos: TicketFixture.Pos1);
        var attempt = 0;
        f.Uploader.Behaviour = (_, _) => ++attempt switch
        {
            1 => TicketUploadResponse.Transient("HTTP 503 Service Unavailable"),
            2 => TicketUploadResponse.Rejected("-70", "Article inconnu"),
            _ => TicketUploadResponse.Integrated,
        };

        await f.DrainReadyAsync();
        f.Time.Advance(TimeSpan.FromSeconds(3)); // past the first backoff (2 s ± 20 %)
        await f.DrainReadyAsync();
        var dead = await f.Service.GetDetailAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.Equal((TicketState.Dead, "-70", "Article inconnu"), (dead!.Record.State, dead.Record.ErrorCode, dead.Record.LastError));

        await f.Service.ReplayAsync(TicketFixture.Pos1, 1, remap: false, CancellationToken.None);
        await f.DrainReadyAsync();

        var detail = await f.Service.GetDetailAsync(TicketFixture.Pos1, 1, CancellationToken.None);
        Assert.NotNull(detail);
        Assert.Equal(TicketState.Sent, detail.Record.State);
        Assert.Equal("1", detail.Record.Ticket!.IdTicketEntete);
        Assert.Equal(1201, detail.Sale.Lines[0].CodeArticle);
        Assert.Equal(
            [("Committed", null, null), ("TransientFailure", null, "HTTP 503 Service Unavailable"), ("Rejected", "-70", "Article inconnu"),
             ("Replayed", "-70", "Article inconnu"), ("Integrated", null, null)],
            detail.History.Select(e => (e.Kind, e.Code, e.Message)).ToList());
        Assert.Equal(detail.Record.CommittedAt, detail.History[0].At);
        Assert.True(detail.History.Zip(detail.History.Skip(1)).All(p => p.First.At <= p.Second.At), "history is oldest first");
    }

    [Fact]
    public async Task Detail_of_an_unknown_ticket_is_null_and_other_points_of_sale_are_not_mixed_in()
    {
        await using var f = new TicketFixture();
        await f.CommitAsync("a", pos: TicketFixture.Pos1);
        await f.CommitAsync("b", pos: TicketFixture.Pos2);
        await f.DrainReadyAsync();

        Assert.Null(await f.Service.GetDetailAsync(TicketFixture.Pos1, 2, CancellationToken.None));
        var one = await f.Service.GetDetailAsync(TicketFixture.Pos2, 1, CancellationToken.None);
        Assert.Equal(["Committed", "Integrated"], one!.History.Select(e => e.Kind));
        Assert.Equal("b", one.Record.RequestId);
    }
}
