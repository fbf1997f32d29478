using System.Text.Json;
using Middleware.Cli.Commands;

namespace Middleware.Cli.Tests;

/// <summary>
/// <c>mwctl status</c> and <c>mwctl readers --all</c>. Their methods (<c>status.get</c>, <c>readers.seen</c>) are the
/// host's own: the whole path, mwctl as a process against a real host, is tested in tests/Host.Tests/Status; here the
/// tables from an answer, and the commands without a server.
/// </summary>
public sealed class StatusCommandTests
{
    private const string Answer = """
        {"host":{"version":"0.1.0","environment":"Production","machine":"caisse-ru9","startedAt":"2026-12-07T06:00:00+00:00","uptimeSeconds":7300,"at":"2026-12-07T08:01:40+00:00"},
         "plugins":{"items":[{"id":"channel.qr","version":"1.0.0","state":"Active","reason":null,"since":"2026-12-07T06:00:02+00:00"}],"error":null,"durationMs":0},
         "readers":{"items":[{"name":"Virtual PCD 00 01","kind":"pcsc","pluginId":"pcsc","state":"Empty","pointsOfSale":[],"seen":true},
                             {"name":"Virtual PCD 00 00","kind":"unknown","pluginId":null,"state":"Unavailable","pointsOfSale":["5-1-9-8-14"],"seen":false}],"error":null,"durationMs":1},
         "cardEvents":{"items":[],"error":null,"durationMs":0},
         "outbox":{"items":[{"pointOfSale":"5-1-9-8-14","pending":2,"sent":41,"dead":1,"oldestPendingAgeSeconds":150,"lastError":"422 LINE_ARTICLE","paidNoTicket":0}],"error":null,"durationMs":2},
         "reference":{"items":[],"error":"no answer within 3 s","durationMs":3000},
         "scripts":{"items":[{"file":"sites/crous-5/ru-12/pricing.csx","kind":"Pricing","state":"CompileError","errors":["sites/crous-5/ru-12/pricing.csx:1:14: CS1040: bad"],"lastFault":null,"faultCount":0}],"error":null,"durationMs":0},
         "health":{"items":[{"name":"vem","status":"Unhealthy","description":"timed out","durationMs":5000.1}],"error":null,"durationMs":5001},
         "recentErrors":{"items":[{"at":"2026-12-07T08:00:00+00:00","level":"Error","source":"TicketSender","message":"ALERT: VEM refused ticket 42","exception":null}],"error":null,"durationMs":0},
         "dayTotals":{"items":[{"scope":"host","date":"2026-12-07","sales":42,"salesTtc":138.60,"refunds":1,"refundsTtc":-3.30,"netTtc":135.30,"byPayment":[{"codeReglement":9,"count":43,"amount":135.30}]}],"error":null,"durationMs":4}}
        """;

    [Fact]
    public void Status_prints_each_part_as_a_table_and_a_failed_part_as_its_error()
    {
        var text = StatusCommand.Render(JsonDocument.Parse(Answer).RootElement);

        Assert.Contains("Host caisse-ru9 version 0.1.0 (Production), up 2 h,", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^5-1-9-8-14\s+2\s+41\s+1\s+2 min\s+0\s+422 LINE_ARTICLE$", text);
        Assert.Matches(@"(?m)^host\s+2026-12-07\s+42\s+138.60\s+1\s+-3.30\s+135.30\s+9: 43 / 135.30$", text);
        Assert.Matches(@"(?m)^REFERENCE DATA\nERROR: no answer within 3 s\n\(none\)$", text);
        Assert.Matches(@"(?m)^Virtual PCD 00 00\s+unknown\s+-\s+Unavailable\s+5-1-9-8-14\s+false$", text);
        Assert.Matches(@"(?m)^Virtual PCD 00 01\s+pcsc\s+pcsc\s+Empty\s+\(none\)\s+true$", text);
        Assert.Matches(@"(?m)^vem\s+Unhealthy\s+5000.1\s+timed out$", text);
        Assert.Contains("CS1040: bad", text, StringComparison.Ordinal);
        Assert.Contains("ALERT: VEM refused ticket 42", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^RECENT CARD EVENTS\n\(none\)$", text);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("readers", "--all")]
    public async Task Without_a_server_they_exit_3_with_a_clear_message(params string[] command)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Mwctl.InvokeAsync([.. command, "--pipe", "mwctl-none-" + Guid.NewGuid().ToString("N")[..8], "--timeout", "1"], output, error);
        Assert.Equal(3, code);
        Assert.StartsWith("Connexion au middleware impossible", error.ToString(), StringComparison.Ordinal);
    }
}
