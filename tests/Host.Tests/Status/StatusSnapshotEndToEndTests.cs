using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json;
using Middleware.Host.Status;

namespace Middleware.Host.Tests.Status;

/// <summary>
/// Issue #17, the operator status page: a real host (pipe, sandbox, SQLite stores, plugins, scripts) with its operator
/// web server; sales made over the pipe, a ticket VEM refuses and a broken script, then what <c>/status.json</c>, the
/// page and <c>status.get</c> say about them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusSnapshotEndToEndTests
{
    [Fact]
    public async Task Status_json_shows_the_outbox_the_days_totals_the_script_error_and_the_recent_error_of_a_dead_ticket()
    {
        await using var host = await StatusHost.StartAsync();
        await using var till = await host.Sales.ConnectAsync();
        var pos = SaleHost.Till.ToString();

        var first = await host.SellAsync(till, "1000016");
        await TillSteps.WaitForAsync(() => host.StatusJsonAsync(), s => StatusHost.Row(s, "outbox", "pointOfSale", pos)?.GetProperty("sent").GetInt32() == 1,
            TimeSpan.FromSeconds(60), "the first ticket sent to VEM");
        // VEM refuses the next ticket (422): it goes to the dead letters, and the host logs an alert.
        host.Sales.Sandbox.Faults.RefuseTicketsAfterDebit(1);
        var second = await host.SellAsync(till, "1000017");

        var status = await TillSteps.WaitForAsync(() => host.StatusJsonAsync(), s => StatusHost.Row(s, "outbox", "pointOfSale", pos)?.GetProperty("dead").GetInt32() == 1,
            TimeSpan.FromSeconds(60), "the refused ticket in the dead letters");

        var outbox = StatusHost.Row(status, "outbox", "pointOfSale", pos)!.Value;
        Assert.Equal((0, 1, 1), (outbox.GetProperty("pending").GetInt32(), outbox.GetProperty("sent").GetInt32(), outbox.GetProperty("dead").GetInt32()));
        Assert.Null(status.GetProperty("outbox").GetProperty("error").GetString());

        // Today's totals are the two sales, both paid by Izly (codeReglement 9), for the point of sale and for the host.
        foreach (var scope in new[] { pos, "host" })
        {
            var day = StatusHost.Row(status, "dayTotals", "scope", scope)!.Value;
            Assert.Equal(2, day.GetProperty("sales").GetInt32());
            Assert.Equal(first + second, day.GetProperty("salesTtc").GetDecimal());
            Assert.Equal(0, day.GetProperty("refunds").GetInt32());
            Assert.Equal(first + second, day.GetProperty("netTtc").GetDecimal());
            var izly = Assert.Single(day.GetProperty("byPayment").EnumerateArray());
            Assert.Equal((9, 2, first + second), (izly.GetProperty("codeReglement").GetInt32(), izly.GetProperty("count").GetInt32(), izly.GetProperty("amount").GetDecimal()));
        }

        // The broken script shows with its compiler's error; the till's own site still serves (the sales above).
        var script = StatusHost.Row(status, "scripts", "file", StatusHost.BrokenScript)!.Value;
        Assert.Equal("CompileError", script.GetProperty("state").GetString());
        Assert.Contains(script.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains(StatusHost.BrokenScript + ":1:", StringComparison.Ordinal));

        // The recent errors hold the host's alert about the refused ticket, message rendered.
        Assert.Contains(status.GetProperty("recentErrors").GetProperty("items").EnumerateArray(),
            e => e.GetProperty("level").GetString() == "Error" && e.GetProperty("message").GetString()!.Contains("VEM refused ticket", StringComparison.Ordinal));

        // Plugins, the till's configured reader (seen or not, with its point of sale), the reference data, the host.
        Assert.Contains(status.GetProperty("plugins").GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == "channel.qr" && p.GetProperty("state").GetString() == "Active");
        var reader = StatusHost.Row(status, "readers", "name", "Virtual PCD 00 00")!.Value;
        Assert.Equal([pos], reader.GetProperty("pointsOfSale").EnumerateArray().Select(p => p.GetString()));
        var reference = StatusHost.Row(status, "reference", "pointOfSale", pos)!.Value;
        Assert.True(reference.GetProperty("hasData").GetBoolean());
        Assert.True(status.GetProperty("host").GetProperty("uptimeSeconds").GetInt64() >= 0);
        // The process's own figures (the sale benchmark's allocation budget reads them): a host that sold has used CPU,
        // allocated, and runs the collector the runtime reports (workstation and concurrent unless configured).
        var process = status.GetProperty("host");
        Assert.True(process.GetProperty("processCpuMs").GetDouble() > 0);
        Assert.True(process.GetProperty("allocatedBytes").GetInt64() > 1_000_000);
        Assert.Matches(@"^\d+ / \d+ / \d+$", process.GetProperty("gcCollections").GetString());
        Assert.True(process.GetProperty("workingSetBytes").GetInt64() > process.GetProperty("managedHeapBytes").GetInt64());
        Assert.Equal("workstation, concurrent", process.GetProperty("gc").GetString());
        Assert.Null(status.GetProperty("health").GetProperty("error").GetString());

        // The pipe's status.get answers the same snapshot to an operator (this test runs as the host's own account).
        var overPipe = await till.CallAsync("status.get", null);
        var pipeOutbox = StatusHost.Row(overPipe, "outbox", "pointOfSale", pos)!.Value;
        Assert.Equal(1, pipeOutbox.GetProperty("dead").GetInt32());
        Assert.Equal(first + second, StatusHost.Row(overPipe, "dayTotals", "scope", "host")!.Value.GetProperty("netTtc").GetDecimal());
        var seen = await till.CallAsync("readers.seen", null);
        Assert.Contains(seen.EnumerateArray(), r => r.GetProperty("name").GetString() == "Virtual PCD 00 00");

        // mwctl, as an operator runs it: tables of the same snapshot, and every reader seen with its point of sale.
        var tables = await MwctlAsync(host, "status");
        Assert.Contains("OUTBOX", tables, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{pos}\s+0\s+1\s+1\s", tables); // pending 0, sent 1, dead 1
        Assert.Matches($@"(?m)^host\s+\S+\s+2\s+{Regex.Escape((first + second).ToString(CultureInfo.InvariantCulture))}\s", tables);
        Assert.Contains(StatusHost.BrokenScript, tables, StringComparison.Ordinal);
        var asJson = JsonDocument.Parse(await MwctlAsync(host, "status", "--json")).RootElement;
        Assert.Equal(1, StatusHost.Row(asJson, "outbox", "pointOfSale", pos)!.Value.GetProperty("dead").GetInt32());
        Assert.Matches($@"(?m)^Virtual PCD 00 00\s+\S+.*\s{pos}\s", await MwctlAsync(host, "readers", "--all"));
    }

    private static async Task<string> MwctlAsync(StatusHost host, params string[] args)
    {
        var start = new ProcessStartInfo(Security.HostProcess.DotnetPath()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "mwctl.dll"), .. args, "--pipe", host.Sales.PipeName, "--pos", SaleHost.Till.ToString(), "--timeout", "60"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 0, $"mwctl {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    [Fact]
    public async Task The_page_encodes_every_value_and_needs_the_key()
    {
        await using var host = await StatusHost.StartAsync();

        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/status.json")).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Authorization", "Bearer " + host.Key } } };
        using var answer = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.Content.Headers.ContentType?.MediaType == "text/html", $"{answer.Content.Headers} {answer.Headers}\n{html[..Math.Min(300, html.Length)]}");
        Assert.Contains("id=\"part-outbox\"", html, StringComparison.Ordinal);
        Assert.Contains(StatusHost.BrokenScript, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace(host.BaseUrl.ToString(), "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_value_is_html_encoded_in_the_page()
    {
        var hostile = "<img src=x onerror=alert(1)>";
        var snapshot = new StatusSnapshot(
            new HostStatus("1", "Production", "m", DateTimeOffset.UnixEpoch, 5, DateTimeOffset.UnixEpoch, 12.5, 1024, "3 / 1 / 0", 2048, 4096, "workstation, concurrent"),
            new StatusPart<PluginRow>([new PluginRow(hostile, "1", "Active", null, DateTimeOffset.UnixEpoch)], null, 1),
            new StatusPart<SeenReader>([new SeenReader(hostile + "</script>", "pcsc", "pcsc", "Empty", [], true)], null, 1),
            new StatusPart<CardEventRow>([], null, 0),
            new StatusPart<OutboxRow>([], null, 0),
            new StatusPart<ReferenceRow>([], null, 0),
            new StatusPart<ScriptRow>([new ScriptRow("a.csx", "Pricing", "CompileError", [hostile], null, 0)], null, 0),
            new StatusPart<HealthRow>([], "no answer within 5 s", 5000),
            new StatusPart<LogRow>([new LogRow(DateTimeOffset.UnixEpoch, "Error", null, hostile, null)], null, 0),
            new StatusPart<DayTotalsRow>([], null, 0));

        var html = StatusPageHtml.Render(snapshot);

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</script></td>", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("</script>").Length - 1); // the layout's and the refresh script's, nothing a value closed
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("no answer within 5 s", html, StringComparison.Ordinal);
    }
}
