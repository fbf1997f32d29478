using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Tickets.Model;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Whiz;

/// <summary>A Whiz order as queued.</summary>
public sealed record WhizOrderRecord(string PointOfSale, string IdTicketEntete, string NumeroTicket, string State, int Attempts, string? IdCommande, string? NumeroAppel, string? LastError, string? LastStatus);

/// <summary>
/// The Whiz feed's own queue, in the tickets file. Orders are queued in the ticket's commit transaction (so none is
/// lost) and sent by the background sender separately from VEM uploads: a Whiz failure never blocks or loses a sale.
/// A creation whose outcome is unknown is retried (up to <see cref="TicketsOptions.WhizMaxAttempts"/>): Whiz keys orders
/// by distribution unit and numeroTicket and answers a repeat with the first order, so a retry never shows the kitchen
/// the order twice.
/// </summary>
internal sealed class WhizQueue(TicketDatabase db, TicketsOptions options, OutboxSignal signal, ILogger<WhizQueue> logger)
{
    private const int Queued = 0;
    private const int Created = 1;
    private const int Failed = 2;

    public static bool IsForWhiz(TicketSale sale) => sale.Distribution == Distribution.TakeAway || sale.OnlineOrder;

    public static WhizOrderRequest OrderFor(TicketSale sale, string numeroTicket, DateTimeOffset date) => new(
        numeroTicket,
        (int)(sale.Distribution ?? Distribution.TakeAway),
        date,
        sale.Lines.Where(l => l.Kind == SaleLineKind.Article)
            .Select(l => new WhizOrderLine(l.CodeArticle, l.Label ?? l.CodeArticle.ToString(CultureInfo.InvariantCulture), l.Quantity, l.Comment))
            .ToList());

    public static void Enqueue(SqliteConnection c, SqliteTransaction tx, PointOfSaleId pos, long idTicket, WhizOrderRequest order)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT OR IGNORE INTO whiz_orders (pos, id_ticket, body) VALUES ($p, $id, $b)";
        cmd.Parameters.AddWithValue("$p", pos.ToString());
        cmd.Parameters.AddWithValue("$id", idTicket);
        cmd.Parameters.AddWithValue("$b", JsonSerializer.Serialize(order, TicketService.Json));
        cmd.ExecuteNonQuery();
    }

    /// <summary>Queues a status change of the order of ticket <paramref name="idTicket"/>.</summary>
    public Task EnqueueStatusAsync(PointOfSaleId pos, long idTicket, string status, CancellationToken cancellationToken) => Task.Run(() =>
    {
        if (!WhizStatuses.IsValid(status))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, $"Unknown Whiz status '{status}' (EN_PREPARATION, PRETE, SERVIE, ANNULEE).");
        }

        using var c = db.Open(durable: true);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO whiz_updates (pos, id_ticket, status)
            SELECT $p, $id, $s WHERE EXISTS (SELECT 1 FROM whiz_orders WHERE pos = $p AND id_ticket = $id)
            """;
        cmd.Parameters.AddWithValue("$p", pos.ToString());
        cmd.Parameters.AddWithValue("$id", idTicket);
        cmd.Parameters.AddWithValue("$s", status);
        if (cmd.ExecuteNonQuery() == 0)
        {
            throw new MiddlewareException(ErrorCode.TicketNotFound, $"Ticket {idTicket} of {pos} has no Whiz order.");
        }

        signal.Notify();
    }, cancellationToken);

    public Task<WhizOrderRecord?> GetAsync(PointOfSaleId pos, long idTicket, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT o.pos, o.id_ticket, o.body, o.state, o.attempts, o.id_commande, o.numero_appel, o.last_error,
                   (SELECT status FROM whiz_updates u WHERE u.pos = o.pos AND u.id_ticket = o.id_ticket AND u.state = 1 ORDER BY seq DESC LIMIT 1)
            FROM whiz_orders o WHERE o.pos = $p AND o.id_ticket = $id
            """;
        cmd.Parameters.AddWithValue("$p", pos.ToString());
        cmd.Parameters.AddWithValue("$id", idTicket);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var order = JsonSerializer.Deserialize<WhizOrderRequest>(r.GetString(2), TicketService.Json)!;
        var state = r.GetInt32(3) switch { Queued => "Queued", Created => "Created", _ => "Failed" };
        return new WhizOrderRecord(r.GetString(0), r.GetInt64(1).ToString(CultureInfo.InvariantCulture), order.NumeroTicket, state, r.GetInt32(4),
            r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8));
    }, cancellationToken);

    /// <summary>One pass: creates queued orders, then sends status updates of created orders, in order. Never throws
    /// for a Whiz failure; returns true when work remains that failed (the caller backs off).</summary>
    public async Task<bool> ProcessOnceAsync(IWhizClient client, CancellationToken cancellationToken)
    {
        var failed = false;
        var orders = Query("SELECT pos, id_ticket, body, attempts FROM whiz_orders WHERE state = 0 ORDER BY pos, id_ticket LIMIT 100",
            r => (Pos: r.GetString(0), Id: r.GetInt64(1), Body: r.GetString(2), Attempts: r.GetInt32(3)));
        foreach (var o in orders)
        {
            var pos = PointOfSaleId.Parse(o.Pos);
            try
            {
                var order = JsonSerializer.Deserialize<WhizOrderRequest>(o.Body, TicketService.Json)!;
                var created = await client.CreateOrderAsync(pos, order, cancellationToken).ConfigureAwait(false);
                Update("UPDATE whiz_orders SET state = 1, attempts = attempts + 1, id_commande = $a, numero_appel = $b, last_error = NULL WHERE pos = $p AND id_ticket = $id",
                    o.Pos, o.Id, created.IdCommande, created.NumeroAppel);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed = true;
                var final = o.Attempts + 1 >= options.WhizMaxAttempts;
                logger.LogWarning(ex, "Whiz order of ticket {IdTicketEntete} at {PointOfSale} failed (attempt {Attempt}, final: {Final})", o.Id, o.Pos, o.Attempts + 1, final);
                Update($"UPDATE whiz_orders SET state = {(final ? Failed : Queued)}, attempts = attempts + 1, last_error = $a WHERE pos = $p AND id_ticket = $id",
                    o.Pos, o.Id, ex.Message, null);
            }
        }

        var updates = Query("""
            SELECT u.seq, u.pos, u.id_ticket, u.status, o.id_commande, o.state, u.attempts FROM whiz_updates u
            JOIN whiz_orders o ON o.pos = u.pos AND o.id_ticket = u.id_ticket
            WHERE u.state = 0 AND o.state <> 0 ORDER BY u.seq LIMIT 100
            """, r => (Seq: r.GetInt64(0), Pos: r.GetString(1), Id: r.GetInt64(2), Status: r.GetString(3), Commande: r.IsDBNull(4) ? null : r.GetString(4), OrderState: r.GetInt32(5), Attempts: r.GetInt32(6)));
        var blocked = new HashSet<(string, long)>();
        foreach (var u in updates)
        {
            if (blocked.Contains((u.Pos, u.Id)))
            {
                continue; // keep the statuses of one order in order
            }

            if (u.OrderState == Failed || u.Commande is null)
            {
                UpdateStatusRow(u.Seq, Failed, "the order never reached Whiz");
                continue;
            }

            try
            {
                await client.UpdateStatusAsync(PointOfSaleId.Parse(u.Pos), u.Commande, u.Status, cancellationToken).ConfigureAwait(false);
                UpdateStatusRow(u.Seq, Created, null);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed = true;
                blocked.Add((u.Pos, u.Id));
                logger.LogWarning(ex, "Whiz status {Status} of ticket {IdTicketEntete} at {PointOfSale} failed", u.Status, u.Id, u.Pos);
                UpdateStatusRow(u.Seq, u.Attempts + 1 >= options.WhizMaxAttempts ? Failed : Queued, ex.Message);
            }
        }

        return failed;
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read)
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(read(r));
        }

        return list;
    }

    private void Update(string sql, string pos, long id, object? a, object? b)
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$p", pos);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$a", a ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$b", b ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    private void UpdateStatusRow(long seq, int state, string? error)
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE whiz_updates SET state = $s, attempts = attempts + 1, last_error = $e WHERE seq = $q";
        cmd.Parameters.AddWithValue("$s", state);
        cmd.Parameters.AddWithValue("$e", (object?)error ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$q", seq);
        cmd.ExecuteNonQuery();
    }
}
