using System.Globalization;
using System.Security.Cryptography;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Middleware.Cli.Progress;
using Middleware.Client;

namespace Middleware.Cli.Commands;

/// <summary>
/// <c>mwctl outbox replay --all-dead [--all-pos] [--remap]</c>: replays every dead ticket of --pos (or of every point of
/// sale of the host's outbox) with <c>outbox.list</c> and <c>outbox.replay</c>. Each replay has a request id derived
/// from the point of sale, the ticket and how many replays it had, so a run cut short (Ctrl+C, --timeout, a lost
/// connection) can simply be run again: a replay the host already did is answered from its idempotency store, and a
/// ticket it replayed is no longer dead. The whole run is bounded by --timeout.
/// </summary>
internal sealed class OutboxBulkReplay(ParseResult parse, bool remap, bool allPointsOfSale, TimeProvider time)
{
    /// <summary>outbox.list's largest page; more dead tickets than this at one point of sale need a second run.</summary>
    private const int PageLimit = 10_000;

    private readonly TextWriter output = parse.InvocationConfiguration.Output;
    private readonly TextWriter error = parse.InvocationConfiguration.Error;
    private readonly List<Outcome> outcomes = [];
    private readonly List<string> notes = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var seconds = parse.GetValue(CliOptions.Timeout);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(seconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        var progress = new ProgressLine(error, "outbox replay", time, TimeSpan.FromSeconds(1));
        var total = 0;
        string? stopped = null;
        var clients = new Dictionary<string, MiddlewareClient>(StringComparer.Ordinal);
        try
        {
            var dead = new List<Dead>();
            foreach (var pos in await PointsOfSaleAsync(clients, linked.Token))
            {
                var client = await ClientAsync(clients, pos, linked.Token);
                var list = await client.CallAsync("outbox.list", new { state = "Dead", limit = PageLimit }, linked.Token);
                var page = list.EnumerateArray().Select(t => new Dead(pos, t.Text("idTicketEntete")!, t.Text("numeroTicket"),
                    t.Get("replays") is { ValueKind: JsonValueKind.Number } r ? r.GetInt32() : 0)).ToList();
                if (page.Count >= PageLimit)
                {
                    notes.Add($"{pos} has {PageLimit} dead tickets or more: run the command again for the rest.");
                }

                dead.AddRange(page);
            }

            total = dead.Count;
            progress.Report(0, total);
            foreach (var d in dead)
            {
                var client = await ClientAsync(clients, d.PointOfSale, linked.Token);
                try
                {
                    var result = await client.CallMutatingAsync("outbox.replay", new { idTicketEntete = d.Id, remap }, RequestId(d), linked.Token);
                    outcomes.Add(new Outcome(d, true, result.Text("state"), result.Get("replays")?.GetInt32(), null));
                }
                catch (MiddlewareRpcException ex)
                {
                    // One ticket refused (a remap the validator rejects, a ticket sent meanwhile): the others go on.
                    outcomes.Add(new Outcome(d, false, null, null, $"{ex.Code} {ex.Detail ?? ex.CashierMessage}"));
                }

                progress.Report(outcomes.Count, total);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            stopped = $"stopped by --timeout ({seconds.ToString(CultureInfo.InvariantCulture)} s)";
        }
        catch (MiddlewareRpcException ex)
        {
            stopped = $"the middleware answered {ex.Code} {ex.CashierMessage}{(ex.Detail is null ? "" : " (" + ex.Detail + ")")}";
        }
        catch (Exception ex) when (ex is MiddlewareConnectionException or TimeoutException)
        {
            stopped = $"connection lost: {ex.Message}";
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                await client.DisposeAsync();
            }
        }

        await WriteSummaryAsync(total, progress.Elapsed, stopped);
        return stopped is not null ? 3 : outcomes.Any(o => !o.Replayed) ? 1 : 0;
    }

    private async Task<IReadOnlyList<string>> PointsOfSaleAsync(Dictionary<string, MiddlewareClient> clients, CancellationToken cancellationToken)
    {
        var own = parse.GetValue(CliOptions.PointOfSale)!;
        if (!allPointsOfSale)
        {
            return [own];
        }

        var status = await (await ClientAsync(clients, own, cancellationToken)).CallAsync("outbox.status", new { allPointsOfSale = true }, cancellationToken);
        return status.Items("pointsOfSale").Where(p => p.Get("dead") is { ValueKind: JsonValueKind.Number } n && n.GetInt32() > 0)
            .Select(p => p.Text("pointOfSale")!).ToList();
    }

    private async Task<MiddlewareClient> ClientAsync(Dictionary<string, MiddlewareClient> clients, string pointOfSale, CancellationToken cancellationToken)
    {
        if (!clients.TryGetValue(pointOfSale, out var client))
        {
            // outbox.list and outbox.replay act on the caller's point of sale: one connection per point of sale.
            client = await CliOptions.ConnectAsync(parse, pointOfSale, cancellationToken);
            clients[pointOfSale] = client;
        }

        return client;
    }

    /// <summary>The same dead ticket (same replay count) always gets the same request id; once replayed and dead
    /// again, it gets a new one, so a later run replays it again.</summary>
    internal static Guid RequestId(string pointOfSale, string idTicketEntete, int replays)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"mwctl outbox replay|{pointOfSale}|{idTicketEntete}|{replays}"));
        // A name-based (version 5 style) UUID: the version and variant bits set as RFC 9562 says.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private static Guid RequestId(Dead d) => RequestId(d.PointOfSale, d.Id, d.Replays);

    private async Task WriteSummaryAsync(int total, TimeSpan elapsed, string? stopped)
    {
        var replayed = outcomes.Count(o => o.Replayed);
        var failed = outcomes.Where(o => !o.Replayed).ToList();
        if (parse.GetValue(OutboxCommand.Json))
        {
            await CliOptions.PrintAsync(parse, new
            {
                total,
                replayed,
                failed = failed.Count,
                notDone = total - outcomes.Count,
                elapsedSeconds = Math.Round(elapsed.TotalSeconds, 1),
                stopped,
                notes,
                tickets = outcomes.Select(o => new
                {
                    pointOfSale = o.Ticket.PointOfSale, idTicketEntete = o.Ticket.Id, numeroTicket = o.Ticket.Numero,
                    outcome = o.Replayed ? "Replayed" : "Failed", o.State, o.Replays, o.Error,
                }),
            });
            return;
        }

        var text = new StringBuilder();
        if (outcomes.Count > 0)
        {
            var table = new TextTable("POINT OF SALE", "ID", "NUMERO", "OUTCOME", "STATE", "REPLAYS", "ERROR");
            foreach (var o in outcomes)
            {
                table.Add(o.Ticket.PointOfSale, o.Ticket.Id, o.Ticket.Numero, o.Replayed ? "replayed" : "FAILED", o.State, o.Replays?.ToString(CultureInfo.InvariantCulture), o.Error);
            }

            text.Append(table);
        }

        text.Append(CultureInfo.InvariantCulture, $"{replayed} of {total} dead ticket(s) replayed{(remap ? " with the current mapping" : "")}, {failed.Count} failed");
        text.Append(CultureInfo.InvariantCulture, $", in {ProgressLine.Seconds(elapsed)}.");
        foreach (var note in notes)
        {
            text.Append('\n').Append(note);
        }

        if (stopped is not null)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\nNot finished, {stopped}: {total - outcomes.Count} ticket(s) not tried. Run the same command again: tickets already replayed are not replayed twice.");
        }

        await output.WriteLineAsync(text.ToString());
    }

    private sealed record Dead(string PointOfSale, string Id, string? Numero, int Replays);

    private sealed record Outcome(Dead Ticket, bool Replayed, string? State, int? Replays, string? Error);
}
