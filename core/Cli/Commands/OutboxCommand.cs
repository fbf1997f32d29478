using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl outbox status|list|show|replay</c>: the ticket outbox of the point of sale <c>--pos</c> (pipe methods
/// <c>outbox.status</c>, <c>outbox.list</c>, <c>outbox.show</c>, <c>outbox.replay</c>). Tables by default,
/// the middleware's JSON with <c>--json</c>.
/// </summary>
internal static class OutboxCommand
{
    private static readonly string[] States = ["Pending", "Sent", "Dead"];

    /// <summary>--json, shared with the bulk replay (<see cref="OutboxBulkReplay"/>).</summary>
    internal static readonly Option<bool> Json = new("--json") { Description = "Print the middleware's JSON answer instead of a table", Recursive = true };

    public static Command Create()
    {
        var json = Json;
        return new Command("outbox", "The ticket outbox of the point of sale --pos: counts, tickets, one ticket's history, replays.")
        {
            json, Status(json), List(json), Show(json), Replay(json),
        };
    }

    private static Command Status(Option<bool> json)
    {
        var command = new Command("status", "Pending, sent and dead tickets and the age of the oldest pending one (outbox.status)");
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("outbox.status", null, ct);
            await WriteAsync(parse, json, result, () =>
            {
                var table = new TextTable("POINT OF SALE", "PENDING", "SENT", "DEAD", "OLDEST PENDING", "LAST ERROR");
                foreach (var p in result.Items("pointsOfSale"))
                {
                    table.Add(p.Text("pointOfSale"), p.Text("pending"), p.Text("sent"), p.Text("dead"), Age(p.Get("oldestPendingAgeSeconds")), p.Text("lastError"));
                }

                return (table.Count == 0 ? "No ticket in the outbox.\n" : table.ToString())
                    + $"Total: {result.Text("pending")} pending, {result.Text("sent")} sent, {result.Text("dead")} dead.";
            });
        }, ct));
        return command;
    }

    private static Command List(Option<bool> json)
    {
        var state = new Option<string?>("--state") { Description = "Only tickets in this state: Pending, Sent or Dead" };
        state.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } s && !States.Contains(s, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"--state must be Pending, Sent or Dead; got '{s}'.");
            }
        });
        var limit = new Option<int>("--limit") { Description = "At most this many tickets (1-10000)", DefaultValueFactory = _ => 100 };
        limit.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !(int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= 10_000))
            {
                r.AddError($"--limit must be between 1 and 10000; got '{r.Tokens[0].Value}'.");
            }
        });
        var command = new Command("list", "Tickets of --pos, oldest first (outbox.list)") { state, limit };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("outbox.list", new { state = parse.GetValue(state), limit = parse.GetValue(limit) }, ct);
            await WriteAsync(parse, json, result, () =>
            {
                var table = new TextTable("ID", "NUMERO", "STATE", "ATTEMPTS", "REPLAYS", "COMMITTED", "SENT", "LAST ERROR");
                foreach (var t in result.EnumerateArray())
                {
                    table.Add(t.Text("idTicketEntete"), t.Text("numeroTicket"), t.Text("state"), t.Text("attempts"), t.Text("replays"),
                        t.Date("committedAt"), t.Date("sentAt"), Error(t));
                }

                return table.Count == 0 ? "No ticket." : table.ToString().TrimEnd() + $"\n{table.Count} ticket(s).";
            });
        }, ct));
        return command;
    }

    private static Command Show(Option<bool> json)
    {
        var id = IdArgument();
        var command = new Command("show", "One ticket in full: state, lines, payment, its send history and the VEM JSON (outbox.show)") { id };
        command.SetAction((parse, ct) => CliOptions.RunAsync(parse, hello: true, async client =>
        {
            var result = await client.CallAsync("outbox.show", new { idTicketEntete = parse.GetValue(id).ToString(CultureInfo.InvariantCulture) }, ct);
            await WriteAsync(parse, json, result, () => Describe(result));
        }, ct));
        return command;
    }

    private static Command Replay(Option<bool> json)
    {
        var id = IdArgument();
        id.Arity = ArgumentArity.ZeroOrOne;
        var remap = new Option<bool>("--remap") { Description = "Rebuild the ticket from its sale with the current mapping (after a fix) instead of resending it as-is" };
        var requestId = new Option<Guid?>("--request-id") { Description = "Request id to reuse when retrying a replay whose answer was lost" };
        var allDead = new Option<bool>("--all-dead") { Description = "Replay every dead ticket of --pos (progress on stderr, a summary; bounded by --timeout; safe to run again)" };
        var allPos = new Option<bool>("--all-pos") { Description = "With --all-dead: of every point of sale of the host's outbox, not only --pos" };
        var command = new Command("replay", "Queue a dead ticket again, same numbers (outbox.replay); --all-dead: every dead ticket") { id, remap, requestId, allDead, allPos };
        command.Validators.Add(r =>
        {
            var hasId = r.GetResult(id) is { Tokens.Count: > 0 };
            var bulk = r.GetValue(allDead);
            if (hasId == bulk)
            {
                r.AddError("Give either one idTicketEntete or --all-dead.");
            }
            else if (r.GetValue(allPos) && !bulk)
            {
                r.AddError("--all-pos goes with --all-dead.");
            }
            else if (bulk && r.GetResult(requestId) is { Tokens.Count: > 0 })
            {
                r.AddError("--request-id is for one ticket: --all-dead derives a stable request id for each ticket.");
            }
        });
        command.SetAction((parse, ct) => parse.GetValue(allDead)
            ? new OutboxBulkReplay(parse, parse.GetValue(remap), parse.GetValue(allPos), TimeProvider.System).RunAsync(ct)
            : CliOptions.RunAsync(parse, hello: true, async client =>
            {
                var result = await client.CallMutatingAsync("outbox.replay",
                    new { idTicketEntete = parse.GetValue(id).ToString(CultureInfo.InvariantCulture), remap = parse.GetValue(remap) }, parse.GetValue(requestId), ct);
                await WriteAsync(parse, json, result, () =>
                    $"Ticket {result.Text("idTicketEntete")} ({result.Text("numeroTicket")}) of {result.Text("pointOfSale")} queued again: state {result.Text("state")}, "
                    + $"replay {result.Text("replays")}{(parse.GetValue(remap) ? ", rebuilt with the current mapping" : ", resent as it was")}.");
            }, ct));
        return command;
    }

    private static Argument<long> IdArgument()
    {
        var id = new Argument<long>("idTicketEntete") { Description = "The ticket's idTicketEntete (sequential per point of sale, from 1)" };
        // Read the token, not the value: a value that does not convert makes GetValueOrDefault throw inside a validator.
        id.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !(long.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
            {
                r.AddError($"idTicketEntete must be a positive whole number; got '{r.Tokens[0].Value}'.");
            }
        });
        return id;
    }

    private static string Describe(JsonElement detail)
    {
        var record = detail.Get("record") ?? default;
        var ticket = record.Get("ticket") ?? default;
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Ticket {record.Text("idTicketEntete")} of {record.Text("pointOfSale")}, numero {record.Text("numeroTicket")}: {record.Text("state")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  committed {record.Date("committedAt")} (requestId {record.Text("requestId")}), sent {record.Date("sentAt") ?? "-"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  attempts {record.Text("attempts")}, replays {record.Text("replays")}, online order {record.Text("onlineOrder")}");
        if (Error(record) is { } error)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  last error: {error}");
        }

        text.AppendLine();
        var lines = new TextTable("#", "ARTICLE", "QTY", "TVA", "PU TTC", "PU HT", "TOTAL TTC", "TOTAL HT");
        foreach (var l in ticket.Items("listeLignes"))
        {
            lines.Add(l.Text("numeroLigne"), l.Text("codeArticle"), l.Text("quantite"), l.Text("codeTva"), l.Text("prixUnitaireTtc"),
                l.Text("prixUnitaireHt"), l.Text("totalTtc"), l.Text("totalHt"));
        }

        text.Append(lines);
        foreach (var p in ticket.Items("listeReglements"))
        {
            var means = p.Text("idSupport") is { } card ? $"card {card}" : p.Text("qrCode") is not null ? "QR code" : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"Payment: codeReglement {p.Text("codeReglement")}, montant {p.Text("montant")}, {means}, idTransactionIzly {p.Text("idTransactionIzly") ?? "-"}");
        }

        text.AppendLine();
        text.AppendLine("History:");
        var history = new TextTable("AT", "EVENT", "CODE", "MESSAGE");
        foreach (var e in detail.Items("history"))
        {
            history.Add(e.Date("at"), e.Text("kind"), e.Text("code"), e.Text("message"));
        }

        text.Append(history);
        text.AppendLine();
        text.AppendLine("VEM ticket:");
        text.Append(ticket.ValueKind == JsonValueKind.Undefined ? "-" : JsonSerializer.Serialize(ticket, CliOptions.Pretty));
        return text.ToString();
    }

    private static string? Error(JsonElement record) =>
        record.Text("lastError") is { } message ? (record.Text("errorCode") is { } code ? $"{code} {message}" : message) : null;

    private static string Age(JsonElement? seconds) =>
        seconds is { ValueKind: JsonValueKind.Number } s ? TimeSpan.FromSeconds(Math.Round(s.GetDouble())).ToString("c", CultureInfo.InvariantCulture) : "-";

    private static Task WriteAsync(ParseResult parse, Option<bool> json, JsonElement result, Func<string> table) =>
        parse.GetValue(json) ? CliOptions.PrintAsync(parse, result) : parse.InvocationConfiguration.Output.WriteLineAsync(table());
}
