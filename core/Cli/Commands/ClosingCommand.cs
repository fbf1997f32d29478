using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Middleware.Cli.Reports;
using Middleware.Client;
using Middleware.Tickets.Closing;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl closing close|list|show</c>: day, month and year closings (pipe methods <c>closing.close</c>,
/// <c>closing.list</c>, <c>closing.get</c>). A table by default, the JSON with <c>--json</c>, a printable page with
/// <c>--html FILE</c>, a PDF (through the installed Chromium) with <c>--pdf FILE</c>.
/// </summary>
internal static class ClosingCommand
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the middleware's JSON answer instead of a table", Recursive = true };
        var html = new Option<FileInfo?>("--html") { Description = "Also write the closing as an HTML page to print", Recursive = true };
        var pdf = new Option<FileInfo?>("--pdf") { Description = "Also write the closing as a PDF (needs chromium)", Recursive = true };
        return new Command("closing", "Day, month and year closings of a point of sale or of the host (final once made: they are journaled).")
        {
            json, html, pdf, Close(json, html, pdf), List(json), Show(json, html, pdf), Reconcile(json, html, pdf),
        };
    }

    private static Command Close(Option<bool> json, Option<FileInfo?> html, Option<FileInfo?> pdf)
    {
        var period = new Option<string>("--period") { Description = "day, month or year", DefaultValueFactory = _ => "day" };
        period.AcceptOnlyFromAmong("day", "month", "year");
        var scope = new Option<string?>("--scope") { Description = "host (every point of sale, then the host; operator only), a point of sale id, or --pos by default" };
        var requestId = new Option<Guid?>("--request-id") { Description = "Request id to reuse when retrying a closing whose answer was lost" };
        var command = new Command("close", "Close the period now (closing.close): sales after it belong to the next closing") { period, scope, requestId };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            // Said before the call: when its answer is lost, the same id closes nothing more and answers the closing made.
            var rid = parse.GetValue(requestId) ?? Guid.NewGuid();
            await parse.InvocationConfiguration.Error.WriteLineAsync($"closing.close request id {rid} (retry a lost answer with --request-id {rid})");
            var result = await client.CallMutatingAsync("closing.close", new { period = parse.GetValue(period), scope = parse.GetValue(scope) }, rid, ct);
            await WriteAsync(parse, json, html, pdf, result, ct);
        }, ct));
        return command;
    }

    private static Command List(Option<bool> json)
    {
        var period = new Option<string?>("--period") { Description = "Only day, month or year closings" };
        var scope = new Option<string?>("--scope") { Description = "Only this scope (host or a point of sale id)" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000)", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Closings, newest first (closing.list)") { period, scope, limit };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("closing.list", new { period = parse.GetValue(period), scope = parse.GetValue(scope), limit = parse.GetValue(limit) }, ct);
            if (parse.GetValue(json))
            {
                await CliOptions.PrintAsync(parse, result);
                return;
            }

            var table = new TextTable("ID", "LABEL", "CLOSED", "SALES", "REFUNDS", "NET TTC", "GRAND TOTAL", "OPEN");
            foreach (var c in result.EnumerateArray().Select(e => e.Deserialize<ClosingReport>(Web)!))
            {
                table.Add(c.Id, c.Label, c.ClosedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture), Count(c.Sales), Count(c.Refunds),
                    Money(c.NetTtc), Money(c.GrandTotalTtc), c.OpenItems.Count.ToString(CultureInfo.InvariantCulture));
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(table.Count == 0 ? "No closing." : table.ToString().TrimEnd());
        }, ct));
        return command;
    }

    private static Command Show(Option<bool> json, Option<FileInfo?> html, Option<FileInfo?> pdf)
    {
        var id = new Argument<string>("id") { Description = "The closing's id, e.g. day/5-1-9-8-14/3 or day/host/12" };
        var command = new Command("show", "One closing in full (closing.get)") { id };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("closing.get", new { id = parse.GetValue(id) }, ct);
            await WriteAsync(parse, json, html, pdf, result, ct);
        }, ct));
        return command;
    }

    private static Command Reconcile(Option<bool> json, Option<FileInfo?> html, Option<FileInfo?> pdf)
    {
        var id = new Argument<string>("id") { Description = "A day closing's id, e.g. day/host/12" };
        var command = new Command("reconcile", "Check a day closing against Izly's operations and VEM's answers (reconciliation.run); exit 1 when something does not match") { id };
        command.SetAction(async (parse, ct) =>
        {
            var matched = true;
            var code = await CliOptions.RunAsync(parse, hello: true, async client =>
            {
                var result = await client.CallAsync("reconciliation.run", new { closingId = parse.GetValue(id) }, ct);
                matched = result.Text("matched") == "true";
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    await CliOptions.PrintAsync(parse, result);
                }
                else
                {
                    var sides = new TextTable("POINT OF SALE", "IZLY OPS", "IZLY TOTAL", "IZLY TICKETS", "TICKET TOTAL", "VEM OK", "PENDING", "REFUSED");
                    foreach (var p in result.Items("pointsOfSale"))
                    {
                        sides.Add(p.Text("pointOfSale"), p.Text("izlyOperations"), p.Text("izlyTotal"), p.Text("izlyTickets"), p.Text("izlyTicketTotal"),
                            p.Text("vemAccepted"), p.Text("vemPending"), p.Text("vemRefused"));
                    }

                    await output.WriteAsync(sides.ToString());
                    var mismatches = new TextTable("MISMATCH", "POINT OF SALE", "REFERENCE", "AMOUNT", "ACTION");
                    foreach (var m in result.Items("mismatches"))
                    {
                        mismatches.Add(m.Text("kind"), m.Text("pointOfSale"), m.Text("reference"), m.Text("amount"), m.Text("action"));
                    }

                    await output.WriteLineAsync(mismatches.Count == 0 ? "Everything matches." : mismatches.ToString().TrimEnd() + $"\n{mismatches.Count} mismatch(es).");
                }

                if (parse.GetValue(html) is not null || parse.GetValue(pdf) is not null)
                {
                    var closing = await client.CallAsync("closing.get", new { id = parse.GetValue(id) }, ct);
                    await WritePagesAsync(parse, html, pdf, ClosingHtmlReport.Render(closing.Deserialize<ClosingReport>(Web)!, ReconciliationHtml.Render(result)), ct);
                }
            }, ct);
            return code != 0 ? code : matched ? 0 : 1;
        });
        return command;
    }

    private static async Task WriteAsync(ParseResult parse, Option<bool> json, Option<FileInfo?> html, Option<FileInfo?> pdf, JsonElement result, CancellationToken ct)
    {
        var report = result.Deserialize<ClosingReport>(Web) ?? throw new JsonException("empty closing");
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json))
        {
            await CliOptions.PrintAsync(parse, result);
        }
        else
        {
            await output.WriteLineAsync(Describe(report));
        }

        await WritePagesAsync(parse, html, pdf, ClosingHtmlReport.Render(report), ct);
    }

    private static async Task WritePagesAsync(ParseResult parse, Option<FileInfo?> html, Option<FileInfo?> pdf, string page, CancellationToken ct)
    {
        if (parse.GetValue(html) is { } htmlFile)
        {
            await File.WriteAllTextAsync(htmlFile.FullName, page, ct);
            await parse.InvocationConfiguration.Error.WriteLineAsync($"HTML written to {htmlFile.FullName}");
        }

        if (parse.GetValue(pdf) is { } pdfFile)
        {
            var temp = Path.Combine(Path.GetTempPath(), $"mwctl-closing-{Guid.NewGuid():N}.html");
            await File.WriteAllTextAsync(temp, page, ct);
            try
            {
                await PdfPrinter.PrintAsync(temp, pdfFile.FullName, TimeSpan.FromSeconds(60), ct);
                await parse.InvocationConfiguration.Error.WriteLineAsync($"PDF written to {pdfFile.FullName}");
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }

    internal static string Describe(ClosingReport c)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Closing {c.Id} ({c.Period} {c.Label}), closed {c.ClosedAt:yyyy-MM-dd HH:mm:ss zzz} by {c.ClosedBy}; journal entries {c.AfterSeq + 1}-{c.ToSeq}, key {c.KeyId}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Sales {Count(c.Sales)} {Money(c.Sales.TotalTtc)} TTC; refunds {Count(c.Refunds)} {Money(c.Refunds.TotalTtc)} TTC; net {Money(c.NetTtc)}; grand total {Money(c.GrandTotalTtc)}");
        var payments = new TextTable("KIND", "CODE REGLEMENT", "COUNT", "AMOUNT");
        foreach (var (kind, totals) in new[] { ("sales", c.Sales), ("refunds", c.Refunds) })
        {
            foreach (var p in totals.ByPayment)
            {
                payments.Add(kind, p.CodeReglement.ToString(CultureInfo.InvariantCulture), p.Count.ToString(CultureInfo.InvariantCulture), Money(p.Amount));
            }
        }

        text.Append(payments);
        var vat = new TextTable("KIND", "CODE TVA", "RATE", "HT", "VAT", "TTC");
        foreach (var (kind, totals) in new[] { ("sales", c.Sales), ("refunds", c.Refunds) })
        {
            foreach (var v in totals.ByVat)
            {
                vat.Add(kind, v.CodeTva.ToString(CultureInfo.InvariantCulture), v.Rate?.ToString(CultureInfo.InvariantCulture), Money(v.TotalHt), Money(v.TotalVat), Money(v.TotalTtc));
            }
        }

        text.Append(vat);
        foreach (var r in c.TicketRanges)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{r.PointOfSale}: tickets {r.FirstNumeroTicket} to {r.LastNumeroTicket} ({r.Count})");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Open items: {c.OpenItems.Count}");
        foreach (var i in c.OpenItems)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {i.Kind} {i.PointOfSale} {i.Reference}{(i.CarriedFrom is { } from ? $" (carried from {from})" : "")}: {i.Detail}");
        }

        return text.ToString().TrimEnd();
    }

    private static string Count(ClosingTotals t) => t.Tickets.ToString(CultureInfo.InvariantCulture);

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
