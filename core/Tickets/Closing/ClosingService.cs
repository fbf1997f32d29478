using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Numbering;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Closing;

/// <summary>
/// Day, month and year closings of a point of sale or of the host, computed from the journal and appended to it in
/// the same transaction: final, chained and signed like the tickets. One closing at a time per host.
/// </summary>
public sealed class ClosingService
{
    public const string Host = "host";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly TicketDatabase db;
    private readonly JournalWriter writer;
    private readonly TicketsOptions options;
    private readonly IReferenceCatalogSource catalogs;
    private readonly TimeProvider time;
    private readonly IClosingOpenItemsSource? payments;
    private readonly ILogger log;
    private readonly string? archiveDirectory;

    internal ClosingService(
        TicketDatabase db, JournalWriter writer, TicketsOptions options, IReferenceCatalogSource catalogs, TimeProvider time,
        IClosingOpenItemsSource? payments = null, ILogger<ClosingService>? logger = null, string? archiveDirectory = null)
    {
        this.archiveDirectory = archiveDirectory;
        this.db = db;
        this.writer = writer;
        this.options = options;
        this.catalogs = catalogs;
        this.time = time;
        this.payments = payments;
        log = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Closes <paramref name="period"/> (<c>day</c>, <c>month</c>, <c>year</c>) of <paramref name="scope"/>
    /// (a point of sale id, or <see cref="Host"/>: every point of sale's day is closed first). Returns the new closing.</summary>
    public async Task<ClosingReport> CloseAsync(string period, string scope, string closedBy, CancellationToken cancellationToken)
    {
        if (period is not ("day" or "month" or "year"))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, $"Unknown period '{period}' (day, month, year).");
        }

        if (scope != Host)
        {
            scope = PointOfSaleId.TryParse(scope, out var id)
                ? id.ToString() // one spelling per point of sale: "05-1-9-8-14" is 5-1-9-8-14's closing, not a new scope
                : throw new MiddlewareException(ErrorCode.InvalidRequest, $"Unknown scope '{scope}' (a point of sale id, or host).");
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var open = payments is null ? [] : await payments.ListAsync(scope == Host ? null : scope, cancellationToken).ConfigureAwait(false);
            var (report, head) = await Task.Run(() =>
            {
                using var c = db.Open(durable: true);
                using var tx = c.BeginTransaction(deferred: false);
                var now = time.GetUtcNow();
                var outbox = OutboxOpenItems(c, tx, scope == Host ? null : scope);
                var all = open.Concat(outbox).ToList();
                JournalHead? last = null;
                ClosingReport result;
                if (period == "day" && scope == Host)
                {
                    foreach (var pos in PointsOfSaleToClose(c, tx))
                    {
                        (_, last) = CloseDay(c, tx, pos, closedBy, now, [.. all.Where(i => i.PointOfSale == pos)]);
                    }

                    (result, last) = CloseFromParts(c, tx, period, Host, closedBy, now, all);
                }
                else if (period == "day")
                {
                    (result, last) = CloseDay(c, tx, scope, closedBy, now, all);
                }
                else
                {
                    (result, last) = CloseFromParts(c, tx, period, scope, closedBy, now, all);
                }

                tx.Commit();
                return (result, last);
            }, cancellationToken).ConfigureAwait(false);
            writer.Committed(head);
            if (report.Period != "day" && report.Scope == Host && archiveDirectory is not null)
            {
                report = report with { ArchivePath = Archive(report) };
            }

            log.LogInformation("Closing {Id} made: {Tickets} tickets, net {Net} EUR, {Open} open items", report.Id, report.Sales.Tickets + report.Refunds.Tickets, report.NetTtc, report.OpenItems.Count);
            return report;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// A host's month or year closing archives the journal entries it covers (its own entry included) as a signed file
    /// of the archive folder, which is never pruned (keep it, and copies, 6 years at least). An archive that cannot be
    /// written is logged and leaves the closing as made: <c>journal.export</c> writes it again.
    /// </summary>
    private string? Archive(ClosingReport report)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"journal-{report.Period}-{report.Label}-{report.Number}.json");
        var path = Path.Combine(archiveDirectory!, name);
        try
        {
            using var c = db.Open(durable: false);
            JournalArchive.Export(c, writer.Key, report.AfterSeq + 1, report.JournalSeq!.Value, path, time.GetUtcNow(), CancellationToken.None);
            log.LogInformation("Closing {Id} archived its journal entries to {Path}", report.Id, path);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            log.LogError(ex, "Closing {Id}: its journal archive {Path} could not be written; run journal.export", report.Id, path);
            return null;
        }
    }

    /// <summary>Closings, newest first, of one scope and period kind when given.</summary>
    public Task<IReadOnlyList<ClosingReport>> ListAsync(string? scope, string? period, int limit, CancellationToken cancellationToken) => Task.Run<IReadOnlyList<ClosingReport>>(() =>
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq, body FROM journal WHERE kind = 'closing' AND ($s IS NULL OR pos = $s) AND ($p IS NULL OR ref LIKE $p || '/%') ORDER BY seq DESC LIMIT $l";
        cmd.Parameters.AddWithValue("$s", (object?)scope ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$p", (object?)period ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$l", Math.Clamp(limit, 1, 1000));
        using var reader = cmd.ExecuteReader();
        var list = new List<ClosingReport>();
        while (reader.Read())
        {
            list.Add(Parse(reader.GetInt64(0), reader.GetString(1)));
        }

        return list;
    }, cancellationToken);

    /// <summary>
    /// The tickets of <paramref name="pointOfSale"/> journaled from <paramref name="since"/> (UTC) on, with their outbox
    /// state, at most <paramref name="limit"/>: a reconciliation matches Izly's operations against them (a payment's
    /// ticket may fall in the next closing when the close came between the debit and the commit).
    /// </summary>
    public Task<IReadOnlyList<ClosedTicket>> TicketsSinceAsync(string pointOfSale, DateTimeOffset since, int limit, CancellationToken cancellationToken) => Task.Run<IReadOnlyList<ClosedTicket>>(() =>
    {
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT j.seq, j.body, t.state, t.error_code FROM journal j
            LEFT JOIN tickets t ON t.pos = j.pos AND t.id = CAST(j.ref AS INTEGER)
            WHERE j.kind = 'ticket' AND j.pos = $p AND j.at >= $since ORDER BY j.seq LIMIT $l
            """;
        cmd.Parameters.AddWithValue("$p", pointOfSale);
        cmd.Parameters.AddWithValue("$since", since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$l", limit);
        using var reader = cmd.ExecuteReader();
        var list = new List<ClosedTicket>();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ClosingTotalsBuilder.ParseTicket(reader.GetString(1)) is { } ticket)
            {
                list.Add(new ClosedTicket(reader.GetInt64(0), pointOfSale, ticket,
                    reader.IsDBNull(2) ? null : (TicketState)reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        return list;
    }, cancellationToken);

    /// <summary>One closing by id; null when unknown.</summary>
    public Task<ClosingReport?> GetAsync(string id, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var c = db.Open(durable: false);
        return Find(c, null, id);
    }, cancellationToken);

    private (ClosingReport, JournalHead) CloseDay(SqliteConnection c, SqliteTransaction tx, string pos, string closedBy, DateTimeOffset now, IReadOnlyList<OpenItem> open)
    {
        var previous = Last(c, tx, "day", pos);
        var afterSeq = previous?.JournalSeq ?? 0;
        var toSeq = JournalStore.Head(c, tx).Seq;
        var sales = new ClosingTotalsBuilder();
        var refunds = new ClosingTotalsBuilder();
        TicketRange? range = null;
        DateTimeOffset? firstDate = null;
        IReferenceCatalog? catalog = null;
        try
        {
            catalog = catalogs.For(PointOfSaleId.Parse(pos));
        }
        catch (MiddlewareException)
        {
            // No reference data yet: rates are left out, amounts are the tickets' own.
        }

        foreach (var entry in JournalStore.ReadKind(c, tx, JournalKinds.Ticket, pos, afterSeq, toSeq))
        {
            var ticket = ClosingTotalsBuilder.ParseTicket(entry.Body);
            if (ticket is null)
            {
                continue;
            }

            (ticket.CodeEvenement == "RB" ? refunds : sales).AddTicket(ticket, code => catalog?.VatRate(code));
            firstDate ??= ticket.Date;
            range = range is null
                ? new TicketRange(pos, ticket.IdTicketEntete, ticket.NumeroTicket, ticket.IdTicketEntete, ticket.NumeroTicket, 1)
                : range with { LastIdTicketEntete = ticket.IdTicketEntete, LastNumeroTicket = ticket.NumeroTicket, Count = range.Count + 1 };
        }

        var zone = TicketNumbering.FindZone(options.TimeZones.TryGetValue(pos, out var z) && !string.IsNullOrWhiteSpace(z) ? z : options.DefaultTimeZone);
        var label = TimeZoneInfo.ConvertTime(firstDate ?? now, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var report = Report("day", pos, label, previous, afterSeq, toSeq, sales.Build(), refunds.Build(), range is null ? [] : [range], Carry(open, previous), [], closedBy, now);
        return Append(c, tx, report, now);
    }

    private (ClosingReport, JournalHead) CloseFromParts(SqliteConnection c, SqliteTransaction tx, string period, string scope, string closedBy, DateTimeOffset now, IReadOnlyList<OpenItem> open)
    {
        var previous = Last(c, tx, period, scope);
        var afterSeq = previous?.JournalSeq ?? 0;
        var toSeq = JournalStore.Head(c, tx).Seq;
        var (partPeriod, partScope) = (period, scope) switch
        {
            ("day", _) => ("day", (string?)null), // a host day: the points of sale's day closings
            ("month", _) => ("day", scope),
            _ => ("month", scope),
        };
        var parts = new List<ClosingReport>();
        foreach (var entry in JournalStore.ReadKind(c, tx, JournalKinds.Closing, partScope, afterSeq, toSeq))
        {
            var part = Parse(entry.Seq, entry.Body);
            if (part.Period == partPeriod && (partScope is not null || part.Scope != Host))
            {
                parts.Add(part);
            }
        }

        var sales = new ClosingTotalsBuilder();
        var refunds = new ClosingTotalsBuilder();
        foreach (var part in parts)
        {
            sales.AddTotals(part.Sales);
            refunds.AddTotals(part.Refunds);
        }

        var ranges = parts.SelectMany(p => p.TicketRanges).GroupBy(r => r.PointOfSale)
            .Select(g => new TicketRange(g.Key, g.First().FirstIdTicketEntete, g.First().FirstNumeroTicket, g.Last().LastIdTicketEntete, g.Last().LastNumeroTicket, g.Sum(r => r.Count)))
            .ToList();
        var first = parts.Count > 0 ? parts[0].Label : TimeZoneInfo.ConvertTime(now, TicketNumbering.FindZone(options.DefaultTimeZone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var label = period switch { "day" => first, "month" => first[..7], _ => first[..4] };
        var report = Report(period, scope, label, previous, afterSeq, toSeq, sales.Build(), refunds.Build(), ranges, Carry(open, previous), [.. parts.Select(p => p.Id)], closedBy, now);
        return Append(c, tx, report, now);
    }

    /// <summary>A closing of <paramref name="scope"/> following <paramref name="previous"/>: numbered after it, its grand total carried on.</summary>
    private ClosingReport Report(string period, string scope, string label, ClosingReport? previous, long afterSeq, long toSeq, ClosingTotals sales, ClosingTotals refunds,
        IReadOnlyList<TicketRange> ranges, IReadOnlyList<OpenItem> open, IReadOnlyList<string> parts, string closedBy, DateTimeOffset now)
    {
        var number = (previous?.Number ?? 0) + 1;
        return new ClosingReport
        {
            Id = Id(period, scope, number),
            Period = period,
            Scope = scope,
            Number = number,
            Label = label,
            ClosedAt = now,
            ClosedBy = closedBy,
            PreviousId = previous?.Id,
            AfterSeq = afterSeq,
            ToSeq = toSeq,
            PeriodStart = previous?.ClosedAt,
            Sales = sales,
            Refunds = refunds,
            NetTtc = sales.TotalTtc + refunds.TotalTtc,
            GrandTotalTtc = (previous?.GrandTotalTtc ?? 0) + sales.TotalTtc + refunds.TotalTtc,
            TicketRanges = ranges,
            OpenItems = open,
            Parts = parts,
            KeyId = writer.Key.KeyId,
        };
    }

    /// <summary>The points of sale a host day closing closes: every one with tickets since its own last day closing,
    /// and every configured one (a day with no sale is closed at zero, which shows it).</summary>
    private IEnumerable<string> PointsOfSaleToClose(SqliteConnection c, SqliteTransaction tx)
    {
        var set = new SortedSet<string>(options.TimeZones.Keys.Where(k => PointOfSaleId.TryParse(k, out _)), StringComparer.Ordinal);
        // Every point of sale that ever numbered a ticket has a numbering row: a few rows, whatever the journal's length.
        var numbered = new List<string>();
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT pos FROM pos_sequence";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                numbered.Add(reader.GetString(0));
            }
        }

        foreach (var pos in numbered.Where(p => !set.Contains(p)))
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                SELECT EXISTS (SELECT 1 FROM journal WHERE kind = 'ticket' AND pos = $p
                    AND seq > COALESCE((SELECT MAX(seq) FROM journal WHERE kind = 'closing' AND pos = $p AND ref LIKE 'day/%'), 0))
                """;
            cmd.Parameters.AddWithValue("$p", pos);
            if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) != 0)
            {
                set.Add(pos);
            }
        }

        return set;
    }

    private static List<OpenItem> OutboxOpenItems(SqliteConnection c, SqliteTransaction tx, string? pos)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT pos, id, numero, state, committed_at, error_code, last_error FROM tickets WHERE state IN (0, 2) AND ($p IS NULL OR pos = $p) ORDER BY pos, id LIMIT 10000";
        cmd.Parameters.AddWithValue("$p", (object?)pos ?? DBNull.Value);
        using var reader = cmd.ExecuteReader();
        var list = new List<OpenItem>();
        while (reader.Read())
        {
            var dead = reader.GetInt32(3) == (int)TicketState.Dead;
            list.Add(new OpenItem(
                dead ? "ticketDead" : "ticketPending",
                reader.GetString(0),
                reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                null,
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                dead
                    ? $"ticket {reader.GetString(2)} refused by VEM ({(reader.IsDBNull(5) ? "?" : reader.GetString(5))}): fix and outbox.replay it"
                    : $"ticket {reader.GetString(2)} not yet accepted by VEM"));
        }

        return list;
    }

    private static List<OpenItem> Carry(IEnumerable<OpenItem> open, ClosingReport? previous)
    {
        // An item listed twice (read while it changed state) is one item: listed once, never a reason to fail a closing.
        var before = previous?.OpenItems.GroupBy(i => (i.Kind, i.PointOfSale, i.Reference)).ToDictionary(g => g.Key, g => g.First().CarriedFrom ?? previous.Id) ?? [];
        return [.. open.DistinctBy(i => (i.Kind, i.PointOfSale, i.Reference))
            .Select(i => before.TryGetValue((i.Kind, i.PointOfSale, i.Reference), out var from) ? i with { CarriedFrom = from } : i)];
    }

    private (ClosingReport, JournalHead) Append(SqliteConnection c, SqliteTransaction tx, ClosingReport report, DateTimeOffset now)
    {
        var head = writer.Append(c, tx, JournalKinds.Closing, report.Scope, report.Id, JsonSerializer.Serialize(report, Json), now);
        return (report with { JournalSeq = head.Seq }, head);
    }

    private static ClosingReport? Last(SqliteConnection c, SqliteTransaction tx, string period, string scope)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT seq, body FROM journal WHERE kind = 'closing' AND pos = $s AND ref LIKE $p || '/%' ORDER BY seq DESC LIMIT 1";
        cmd.Parameters.AddWithValue("$s", scope);
        cmd.Parameters.AddWithValue("$p", period);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? Parse(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static ClosingReport? Find(SqliteConnection c, SqliteTransaction? tx, string id)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT seq, body FROM journal WHERE kind = 'closing' AND ref = $r ORDER BY seq DESC LIMIT 1";
        cmd.Parameters.AddWithValue("$r", id);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? Parse(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static ClosingReport Parse(long seq, string body) =>
        (JsonSerializer.Deserialize<ClosingReport>(body, Json) ?? throw new InvalidOperationException($"closing entry {seq} is empty")) with { JournalSeq = seq };

    private static string Id(string period, string scope, long number) => string.Create(CultureInfo.InvariantCulture, $"{period}/{scope}/{number}");
}
