using System.Text.Json;
using Xunit.Abstractions;
using Middleware.Tickets.Storage;

namespace Middleware.Cli.Tests;

/// <summary>mwctl's commands, run as a shell would, against the real pipe server, outbox and sandbox VEM.</summary>
public sealed class MwctlTests(ITestOutputHelper log) : IAsyncLifetime
{
    private MiddlewareUnderTest mw = null!;

    public async Task InitializeAsync() => mw = await MiddlewareUnderTest.StartAsync();

    public async Task DisposeAsync() => await mw.DisposeAsync();

    [Fact]
    public async Task Hello_prints_the_servers_answer_for_the_point_of_sale()
    {
        var run = await mw.RunAsync("hello");
        Assert.True(run.ExitCode == 0, run.ToString());
        var hello = run.Json();
        Assert.Equal(MiddlewareUnderTest.Pos, hello.GetProperty("pointOfSale").GetString());
        Assert.Equal("RU 9 caisse 14 (cli tests)", hello.GetProperty("label").GetString());
        var capabilities = hello.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("outbox.show", capabilities);
        Assert.Contains("outbox.replay", capabilities);
    }

    [Fact]
    public async Task Plugins_lists_the_plugin_host_statuses()
    {
        var run = await mw.RunAsync("plugins");
        Assert.True(run.ExitCode == 0, run.ToString());
        var plugin = Assert.Single(run.Json().EnumerateArray());
        Assert.Equal(("reader.calypso", "Disabled"), (plugin.GetProperty("id").GetString(), plugin.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Call_runs_any_method_and_a_repeated_mutating_call_runs_once()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1, unknownToVem: true));
        await mw.WaitForAsync(1, TicketState.Dead);
        var parameters = JsonSerializer.Serialize(new { idTicketEntete = "1" }, JsonSerializerOptions.Web);
        var requestId = Guid.NewGuid().ToString();
        var replay = await mw.RunAsync("call", "outbox.replay", parameters, "--request-id", requestId);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal(1, replay.Json().GetProperty("replays").GetInt32());

        // The same request id again: the first answer comes back, the ticket is not replayed twice.
        var again = await mw.RunAsync("call", "outbox.replay", parameters, "--request-id", requestId);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(1, again.Json().GetProperty("replays").GetInt32());
        Assert.Equal(["Committed", "Rejected", "Replayed", "Rejected"], await WaitForHistoryAsync(1, 4));
        var shown = (await mw.RunAsync("outbox", "show", "1", "--json")).Json();
        Assert.Equal(1, shown.GetProperty("record").GetProperty("replays").GetInt32());
    }

    [Fact]
    public async Task A_till_cannot_commit_a_ticket_of_its_own()
    {
        // Security issue #18: tickets.submit let a till commit a ticket paid "by Izly" with no Izly transaction.
        var parameters = JsonSerializer.Serialize(new { sale = MiddlewareUnderTest.Sale(1) }, JsonSerializerOptions.Web);
        var submit = await mw.RunAsync("call", "tickets.submit", parameters, "--request-id", Guid.NewGuid().ToString());
        Assert.Equal(2, submit.ExitCode);
        Assert.Contains("-32601", submit.Error, StringComparison.Ordinal);

        var status = (await mw.RunAsync("call", "outbox.status")).Json();
        Assert.Equal(0, status.GetProperty("pending").GetInt32() + status.GetProperty("sent").GetInt32() + status.GetProperty("dead").GetInt32());
    }

    [Fact]
    public async Task Outbox_list_show_and_replay_a_ticket_vem_refused()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1));
        await mw.CommitAsync("r-2", MiddlewareUnderTest.Sale(2, unknownToVem: true));
        await mw.WaitForAsync(1, TicketState.Sent);
        var dead = await mw.WaitForAsync(2, TicketState.Dead);
        Assert.Contains("LINE_ARTICLE", dead.LastError, StringComparison.Ordinal);

        var status = await mw.RunAsync("outbox", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"5-1-9-8-14\s+0\s+1\s+1\s", status.Output);
        Assert.Contains("Total: 0 pending, 1 sent, 1 dead.", status.Output, StringComparison.Ordinal);

        var list = await mw.RunAsync("outbox", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var rows = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", rows[0], StringComparison.Ordinal);
        Assert.Matches(@"^1\s+\d{7}\s+Sent\s+1\s+0\s", rows[1]);
        Assert.Matches(@"^2\s+\d{7}\s+Dead\s+1\s+0\s.*LINE_ARTICLE", rows[2]);
        Assert.Equal("2 ticket(s).", rows[^1].Trim());

        var onlyDead = await mw.RunAsync("outbox", "list", "--state", "dead", "--json");
        Assert.True(onlyDead.ExitCode == 0, onlyDead.ToString());
        var deadItem = Assert.Single(onlyDead.Json().EnumerateArray());
        Assert.Equal(("2", "Dead"), (deadItem.GetProperty("idTicketEntete").GetString(), deadItem.GetProperty("state").GetString()));

        var show = await mw.RunAsync("outbox", "show", "2");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("Ticket 2 of 5-1-9-8-14", show.Output, StringComparison.Ordinal);
        Assert.Contains(": Dead", show.Output, StringComparison.Ordinal);
        Assert.Matches(@"\n3\s+7777\s+1\s", show.Output); // the line VEM does not know
        Assert.Matches(@"Rejected\s+\S+\s+.*LINE_ARTICLE", show.Output);
        Assert.Contains("\"idTicketEntete\": \"2\"", show.Output, StringComparison.Ordinal); // the VEM JSON

        log.WriteLine(status.Output + "\n" + list.Output + "\n" + show.Output);
        var replay = await mw.RunAsync("outbox", "replay", "2");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Contains("Ticket 2 (", replay.Output, StringComparison.Ordinal);
        Assert.Contains("queued again", replay.Output, StringComparison.Ordinal);
        Assert.Contains("replay 1, resent as it was", replay.Output, StringComparison.Ordinal);

        // Resent as-is, VEM refuses it again: the history shows both refusals around the replay.
        await mw.WaitForAsync(2, TicketState.Dead, attempts: 1);
        var detail = await WaitForHistoryAsync(2, 4);
        Assert.Equal(["Committed", "Rejected", "Replayed", "Rejected"], detail);
        var shown = (await mw.RunAsync("outbox", "show", "2", "--json")).Json();
        Assert.Equal(1, shown.GetProperty("record").GetProperty("replays").GetInt32());
        Assert.Equal(7777, shown.GetProperty("sale").GetProperty("lines")[2].GetProperty("codeArticle").GetInt32());
    }

    [Fact]
    public async Task Middleware_errors_exit_2_with_the_code_and_the_french_message()
    {
        await mw.CommitAsync("r-1", MiddlewareUnderTest.Sale(1));
        await mw.WaitForAsync(1, TicketState.Sent);

        var sent = await mw.RunAsync("outbox", "replay", "1");
        Assert.Equal(2, sent.ExitCode);
        Assert.StartsWith("Erreur ", sent.Error, StringComparison.Ordinal);
        Assert.Contains("already in VEM", sent.Error, StringComparison.Ordinal);

        var unknown = await mw.RunAsync("outbox", "show", "99");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("No ticket 99 at 5-1-9-8-14", unknown.Error, StringComparison.Ordinal);
        Assert.Equal("", unknown.Output);
    }

    [Theory]
    [InlineData("idTicketEntete must be a positive whole number", "outbox", "show", "0")]
    [InlineData("idTicketEntete must be a positive whole number; got 'abc'", "outbox", "show", "abc")]
    [InlineData("--limit must be between 1 and 10000; got 'many'", "outbox", "list", "--limit", "many")]
    [InlineData("--state must be Pending, Sent or Dead; got 'lost'", "outbox", "list", "--state", "lost")]
    [InlineData("--limit must be between 1 and 10000", "outbox", "list", "--limit", "0")]
    [InlineData("idTicketEntete", "outbox", "replay")]
    [InlineData("frobnicate", "outbox", "frobnicate")]
    [InlineData("Paramètres JSON invalides", "call", "outbox.status", "{not json")]
    public async Task Bad_arguments_exit_1_with_a_clear_message_and_call_nothing(string message, params string[] args)
    {
        var run = await mw.RunAsync(args);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await mw.Tickets.GetOutboxStatusAsync(null, CancellationToken.None)).Pending);
    }

    private async Task<List<string>> WaitForHistoryAsync(long id, int events)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var detail = await mw.Tickets.GetDetailAsync(Domain.PointsOfSale.PointOfSaleId.Parse(MiddlewareUnderTest.Pos), id, CancellationToken.None);
            var kinds = detail!.History.Select(e => e.Kind).ToList();
            if (kinds.Count >= events || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return kinds;
            }

            await Task.Delay(50);
        }
    }
}
