using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl status</c>: the host's status snapshot (pipe method <c>status.get</c>, operator only), what the operator
/// status page shows, as tables; the JSON with <c>--json</c>. A part that failed prints its error in its place.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the middleware's JSON answer instead of tables" };
        var command = new Command("status", "The host at a glance (status.get, operator): plugins, readers, taps, outboxes, reference data, scripts, health, errors, today's totals") { json };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("status.get", null, ct);
            if (parse.GetValue(json))
            {
                await CliOptions.PrintAsync(parse, result);
                return;
            }

            await parse.InvocationConfiguration.Output.WriteAsync(Render(result));
        }, ct));
        return command;
    }

    internal static string Render(JsonElement status)
    {
        var text = new StringBuilder();
        if (status.Get("host") is { } host)
        {
            text.Append(CultureInfo.InvariantCulture, $"Host {host.Text("machine")} version {host.Text("version")} ({host.Text("environment")}), up {Age(host.Get("uptimeSeconds"))}, at {host.Date("at")}\n");
        }

        Part(text, status, "dayTotals", "TODAY'S TOTALS", ["SCOPE", "DATE", "SALES", "SALES TTC", "REFUNDS", "REFUNDS TTC", "NET TTC", "NET BY PAYMENT (CODE: TICKETS / AMOUNT)"],
            r => [r.Text("scope"), r.Text("date"), r.Text("sales"), r.Text("salesTtc"), r.Text("refunds"), r.Text("refundsTtc"), r.Text("netTtc"),
                string.Join(", ", r.Items("byPayment").Select(p => $"{p.Text("codeReglement")}: {p.Text("count")} / {p.Text("amount")}"))]);
        Part(text, status, "outbox", "OUTBOX", ["POINT OF SALE", "PENDING", "SENT", "DEAD", "OLDEST PENDING", "PAID NO TICKET", "LAST ERROR"],
            r => [r.Text("pointOfSale"), r.Text("pending"), r.Text("sent"), r.Text("dead"), Age(r.Get("oldestPendingAgeSeconds")), r.Text("paidNoTicket"), r.Text("lastError")]);
        Part(text, status, "health", "HEALTH", ["CHECK", "STATUS", "DURATION MS", "DESCRIPTION"],
            r => [r.Text("name"), r.Text("status"), r.Text("durationMs"), r.Text("description")]);
        Part(text, status, "plugins", "PLUGINS", ["ID", "VERSION", "STATE", "SINCE", "REASON"],
            r => [r.Text("id"), r.Text("version"), r.Text("state"), r.Date("since"), r.Text("reason")]);
        Part(text, status, "readers", "READERS SEEN", ReaderHeaders, ReaderCells);
        Part(text, status, "cardEvents", "RECENT CARD EVENTS", ["AT", "EVENT", "READER", "CARD", "TECHNOLOGY", "ERROR", "DETAIL"],
            r => [r.Date("at"), r.Text("kind"), r.Text("reader"), r.Text("card"), r.Text("technology"), r.Text("error"), r.Text("detail")]);
        Part(text, status, "reference", "REFERENCE DATA", ["POINT OF SALE", "DATA", "AGE", "STALE", "FAILURES", "LAST ERROR"],
            r => [r.Text("pointOfSale"), r.Text("hasData"), Age(r.Get("ageSeconds")), r.Text("isStale"), r.Text("consecutiveFailures"), r.Text("lastError")]);
        Part(text, status, "scripts", "SCRIPTS", ["FILE", "KIND", "STATE", "FAULTS", "ERRORS / LAST FAULT"],
            r => [r.Text("file"), r.Text("kind"), r.Text("state"), r.Text("faultCount"), string.Join(" | ", r.Items("errors").Select(e => e.GetString())) is { Length: > 0 } e ? e : r.Text("lastFault")]);
        Part(text, status, "recentErrors", "RECENT ERRORS", ["AT", "LEVEL", "SOURCE", "MESSAGE"],
            r => [r.Date("at"), r.Text("level"), r.Text("source"), r.Text("message")]);
        return text.ToString();
    }

    internal static readonly string[] ReaderHeaders = ["NAME", "KIND", "PLUGIN", "STATE", "POINTS OF SALE", "SEEN"];

    internal static string?[] ReaderCells(JsonElement r) =>
        [r.Text("name"), r.Text("kind"), r.Text("pluginId"), r.Text("state"), string.Join(", ", r.Items("pointsOfSale").Select(p => p.GetString())) is { Length: > 0 } p ? p : "(none)", r.Text("seen")];

    private static void Part(StringBuilder text, JsonElement status, string name, string title, string[] headers, Func<JsonElement, string?[]> cells)
    {
        text.Append('\n').Append(title).Append('\n');
        if (status.Get(name) is not { } part)
        {
            text.Append("(not in the answer)\n");
            return;
        }

        if (part.Text("error") is { } error)
        {
            text.Append("ERROR: ").Append(error).Append('\n');
        }

        var table = new TextTable(headers);
        foreach (var row in part.Items("items"))
        {
            table.Add(cells(row));
        }

        text.Append(table.Count == 0 ? "(none)\n" : table.ToString());
    }

    private static string Age(JsonElement? seconds)
    {
        if (seconds is not { ValueKind: JsonValueKind.Number } value)
        {
            return "-";
        }

        var s = (long)value.GetDouble();
        return s < 120 ? $"{s} s" : s < 7200 ? $"{s / 60} min" : s < 172_800 ? $"{s / 3600} h" : $"{s / 86400} d";
    }
}
