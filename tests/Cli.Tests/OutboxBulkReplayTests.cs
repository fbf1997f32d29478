using System.Diagnostics;
using System.Text.Json;
using Middleware.Cli.Commands;
using Middleware.Domain.PointsOfSale;
using Middleware.Tickets.Storage;

namespace Middleware.Cli.Tests;

/// <summary><c>mwctl outbox replay --all-dead [--all-pos]</c> and <c>mwctl reference sync</c> against the real pipe
/// server, outbox (SQLite) and the sandbox's VEM.</summary>
public sealed class OutboxBulkReplayTests : IAsyncLifetime
{
    private MiddlewareUnderTest mw = null!;

    public async Task InitializeAsync() => mw = await MiddlewareUnderTest.StartAsync();

    public async Task DisposeAsync() => await mw.DisposeAsync();

    [Fact]
    public async Task All_dead_replays_every_dead_ticket_of_the_pos_once_with_progress_on_stderr_and_clean_json_on_stdout()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1));
        await mw.CommitAsync("r-2", MiddlewareUnderTest.Sale(2, unknownToVem: true));
        await mw.CommitAsync("r-3", MiddlewareUnderTest.Sale(3, unknownToVem: true));
        await mw.WaitForAsync(1, TicketState.Sent);
        await mw.WaitForAsync(2, TicketState.Dead);
        await mw.WaitForAsync(3, TicketState.Dead);

        var run = await mw.RunAsync("outbox", "replay", "--all-dead", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = run.Json();
        Assert.Equal((2, 2, 0, 0), (summary.GetProperty("total").GetInt32(), summary.GetProperty("replayed").GetInt32(),
            summary.GetProperty("failed").GetInt32(), summary.GetProperty("notDone").GetInt32()));
        Assert.Equal(new[] { "2", "3" }, summary.GetProperty("tickets").EnumerateArray().Select(t => t.GetProperty("idTicketEntete").GetString()));
        Assert.Contains("outbox replay: 0/2, ", run.Error, StringComparison.Ordinal);
        Assert.Contains("outbox replay: 2/2, ", run.Error, StringComparison.Ordinal);

        // VEM refuses them again; each was replayed exactly once, the sent one not at all.
        foreach (var id in new long[] { 2, 3 })
        {
            await mw.WaitForAsync(id, TicketState.Dead, replays: 1);
            Assert.Equal(["Committed", "Rejected", "Replayed", "Rejected"], await HistoryAsync(MiddlewareUnderTest.Pos, id, 4));
        }

        Assert.Equal(0, (await mw.Tickets.GetAsync(PointOfSaleId.Parse(MiddlewareUnderTest.Pos), 1, CancellationToken.None))!.Replays);
    }

    [Fact]
    public async Task A_run_cut_after_a_replay_and_run_again_does_not_replay_that_ticket_twice()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1, unknownToVem: true));
        await mw.WaitForAsync(1, TicketState.Dead);
        // The first run replayed ticket 1 and lost the answer (killed): its call went with the ticket's stable id.
        var requestId = OutboxBulkReplay.RequestId(MiddlewareUnderTest.Pos, "1", replays: 0);
        var first = await mw.RunAsync("call", "outbox.replay", """{"idTicketEntete":"1"}""", "--request-id", requestId.ToString());
        Assert.True(first.ExitCode == 0, first.ToString());

        // The second run took its list before the first one's replay was seen: the same id, so the host answers the
        // first outcome and does not replay again.
        var again = await mw.RunAsync("call", "outbox.replay", """{"idTicketEntete":"1"}""", "--request-id", OutboxBulkReplay.RequestId(MiddlewareUnderTest.Pos, "1", 0).ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(1, again.Json().GetProperty("replays").GetInt32());
        await mw.WaitForAsync(1, TicketState.Dead, replays: 1);
        Assert.Equal(["Committed", "Rejected", "Replayed", "Rejected"], await HistoryAsync(MiddlewareUnderTest.Pos, 1, 4));

        // Dead again after that replay: a new run replays it again (a new id), once.
        var rerun = await mw.RunAsync("outbox", "replay", "--all-dead");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("1 of 1 dead ticket(s) replayed, 0 failed", rerun.Output, StringComparison.Ordinal);
        await mw.WaitForAsync(1, TicketState.Dead, replays: 2);
        Assert.Equal(["Committed", "Rejected", "Replayed", "Rejected", "Replayed", "Rejected"], await HistoryAsync(MiddlewareUnderTest.Pos, 1, 6));
    }

    [Fact]
    public void Request_ids_are_stable_per_point_of_sale_ticket_and_replay_count()
    {
        var id = OutboxBulkReplay.RequestId("5-1-9-8-14", "7", 0);
        Assert.Equal(id, OutboxBulkReplay.RequestId("5-1-9-8-14", "7", 0));
        Assert.Equal(5, id.Version);
        Assert.Equal(4, new[] { id, OutboxBulkReplay.RequestId("5-1-9-8-15", "7", 0), OutboxBulkReplay.RequestId("5-1-9-8-14", "8", 0), OutboxBulkReplay.RequestId("5-1-9-8-14", "7", 1) }.Distinct().Count());
    }

    [Fact]
    public async Task All_pos_replays_the_dead_tickets_of_every_point_of_sale_of_the_host()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1, unknownToVem: true));
        await mw.CommitAsync("o-1", MiddlewareUnderTest.Sale(2, unknownToVem: true), MiddlewareUnderTest.OtherPos);
        await mw.WaitForAsync(1, TicketState.Dead);
        await mw.WaitForAsync(1, TicketState.Dead, pointOfSale: MiddlewareUnderTest.OtherPos);

        var onlyMine = await mw.RunAsync("outbox", "replay", "--all-dead");
        Assert.True(onlyMine.ExitCode == 0, onlyMine.ToString());
        Assert.Contains("1 of 1 dead ticket(s) replayed", onlyMine.Output, StringComparison.Ordinal);
        await mw.WaitForAsync(1, TicketState.Dead, replays: 1);

        var all = await mw.RunAsync("outbox", "replay", "--all-dead", "--all-pos", "--remap", "--json");
        Assert.True(all.ExitCode == 0, all.ToString());
        var tickets = all.Json().GetProperty("tickets").EnumerateArray()
            .Select(t => $"{t.GetProperty("pointOfSale").GetString()} {t.GetProperty("idTicketEntete").GetString()} {t.GetProperty("outcome").GetString()}").ToList();
        Assert.Equal(new[] { $"{MiddlewareUnderTest.Pos} 1 Replayed", $"{MiddlewareUnderTest.OtherPos} 1 Replayed" }, tickets);
        await mw.WaitForAsync(1, TicketState.Dead, pointOfSale: MiddlewareUnderTest.OtherPos, replays: 1);
        Assert.Equal(["Committed", "Rejected", "ReplayedRemapped", "Rejected"], await HistoryAsync(MiddlewareUnderTest.OtherPos, 1, 4));
    }

    [Fact]
    public async Task Without_dead_tickets_the_run_says_so_and_exits_0()
    {
        var run = await mw.RunAsync("outbox", "replay", "--all-dead");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("0 of 0 dead ticket(s) replayed, 0 failed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_past_its_timeout_stops_says_what_was_not_tried_and_exits_3()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1, unknownToVem: true));
        await mw.WaitForAsync(1, TicketState.Dead);
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await Mwctl.InvokeAsync(["outbox", "replay", "--all-dead", "--pipe", mw.PipeName, "--pos", MiddlewareUnderTest.Pos, "--timeout", "0.001"], output, error);

        Assert.True(code == 3, $"exit {code}\n{output}\n{error}");
        Assert.Contains("Not finished", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Run the same command again", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, (await mw.Tickets.GetAsync(PointOfSaleId.Parse(MiddlewareUnderTest.Pos), 1, CancellationToken.None))!.Replays);
    }

    [Theory]
    [InlineData("Give either one idTicketEntete or --all-dead", "outbox", "replay", "3", "--all-dead")]
    [InlineData("--all-pos goes with --all-dead", "outbox", "replay", "3", "--all-pos")]
    [InlineData("--request-id is for one ticket", "outbox", "replay", "--all-dead", "--request-id", "3f2b6c1e-8a47-4c1a-9d55-0c8f5e4b7a10")]
    public async Task Bad_combinations_exit_1_and_call_nothing(string message, params string[] args)
    {
        var run = await mw.RunAsync(args);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reference_sync_fetches_from_the_sandbox_with_the_elapsed_time_on_stderr()
    {
        var run = await mw.RunAsync("reference", "sync");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(run.Json().GetProperty("succeeded").GetBoolean(), run.ToString());
        Assert.True(run.Json().GetProperty("status").GetProperty("counts").GetProperty("articles").GetInt32() > 0, run.ToString());
        Assert.Matches(@"reference sync: done in \d+\.\d s\.", run.Error);
    }

    private async Task<List<string>> HistoryAsync(string pos, long id, int events)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var detail = await mw.Tickets.GetDetailAsync(PointOfSaleId.Parse(pos), id, CancellationToken.None);
            var kinds = detail!.History.Select(e => e.Kind.ToString()).ToList();
            if (kinds.Count >= events || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return kinds;
            }

            await Task.Delay(50);
        }
    }
}
