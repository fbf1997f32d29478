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
    public async Task<ClosingReport> CloseAsync(string period, string scope, string closedBy, CancellationToken cancellationToken) =>
        await CloseAsync(period, scope, closedBy, null, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="CloseAsync(string, string, string, CancellationToken)"/>; with <paramref name="requestId"/>, a
    /// repeat (a retry after a lost answer, even after a restart) answers the closing that request made, and closes nothing.</summary>
    public async Task<ClosingReport> CloseAsync(string period, string scope, string closedBy, string? requestId, CancellationToken cancellationToken)
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
            var (reports, repeat) = await Task.Run(() =>
            {
                using var c = db.Open(durable: true);
                using var tx = c.BeginTransaction(deferred: false);
                var now = time.GetUtcNow();
                var outbox = OutboxOpenItems(c, tx, scope == Host ? null : scope);
                var all = open.Concat(outbox).ToList();
                if (requestId is not null && FindByRequest(c, tx, requestId) is { } done)
                {
                    return (Made: new List<(ClosingReport Report, JournalHead Head)> { (done, JournalStore.Head(c, tx)) }, Repeat: true);
                }

                var made = new List<(ClosingReport Report, JournalHead Head)>();
                if (period == "day" && scope == Host)
                {
                    foreach (var pos in PointsOfSaleToClose(c, tx))
                    {
                        made.Add(CloseDay(c, tx, pos, closedBy, now, [.. all.Where(i => i.PointOfSale == pos)], requestId));
                    }

                    made.Add(CloseHostDay(c, tx, closedBy, now, all, requestId));
                }
                else if (period == "day")
                {
                    made.Add(CloseDay(c, tx, scope, closedBy, now, all, requestId));
                }
                else
                {
                    made.AddRange(CloseCalendar(c, tx, period, scope, closedBy, now, all, requestId));
                }

                tx.Commit();
                return (Made: made, Repeat: false);
            }, cancellationToken).ConfigureAwait(false);
            if (repeat)
            {
                return reports[^1].Report;
            }

            writer.Committed(reports[^1].Head);
            var report = reports[^1].Report;
            foreach (var (made, _) in reports.Where(r => r.Report.Period != "day" && r.Report.Scope == Host && archiveDirectory is not null))
            {
                var path = Archive(made);
                if (made.Id == report.Id)
                {
                    report = report with { ArchivePath = path };
                }
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException or ArgumentException)
        {
            log.LogError(ex, "Closing {Id}: its journal archive {Path} could not be written; run journal.export", report.Id, path);
            return null;
        }
    }

    /// <summary>Closings, newest first, of one scope and period kind when given.</summary>
    public Task<IReadOnlyList<ClosingReport>> ListAsync(string? scope, string? period, int limit, CancellationToken cancellationToken)
    {
        if (period is not (null or "day" or "month" or "year"))
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "period is day, month or year.");
        }

        if (scope is not null && scope != Host)
        {
            scope = PointOfSaleId.TryParse(scope, out var id) ? id.ToString() : throw new MiddlewareException(ErrorCode.InvalidRequest, "scope is a point of sale id or host.");
        }

        return ListValidatedAsync(scope, period, limit, cancellationToken);
    }

    private Task<IReadOnlyList<ClosingReport>> ListValidatedAsync(string? scope, string? period, int limit, CancellationToken cancellationToken) => Task.Run<IReadOnlyList<ClosingReport>>(() =>
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

    private (ClosingReport, JournalHead) CloseDay(SqliteConnection c, SqliteTransaction tx, string pos, string closedBy, DateTimeOffset now, IReadOnlyList<OpenItem> open, string? requestId)
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

        // A ticket rebuilt before the close (outbox.replay --remap) counts as VEM got it: its last body up to the close.
        var remapped = JournalStore.ReadKind(c, tx, JournalKinds.TicketRemapped, pos, afterSeq, toSeq)
            .GroupBy(e => e.Reference ?? "").ToDictionary(g => g.Key, g => g.Last().Body, StringComparer.Ordinal);
        foreach (var entry in JournalStore.ReadKind(c, tx, JournalKinds.Ticket, pos, afterSeq, toSeq))
        {
            var ticket = ClosingTotalsBuilder.ParseTicket(remapped.GetValueOrDefault(entry.Reference ?? "", entry.Body));
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
        var report = Report("day", pos, label, previous, afterSeq, toSeq, sales.Build(), refunds.Build(), range is null ? [] : [range], Carry(open, previous), [], closedBy, now, requestId);
        return Append(c, tx, report, now);
    }

    /// <summary>The host's day: the sum of the points of sale's day closings made since the host's last day closing.</summary>
    private (ClosingReport, JournalHead) CloseHostDay(SqliteConnection c, SqliteTransaction tx, string closedBy, DateTimeOffset now, IReadOnlyList<OpenItem> open, string? requestId)
    {
        var previous = Last(c, tx, "day", Host);
        var afterSeq = previous?.JournalSeq ?? 0;
        var toSeq = JournalStore.Head(c, tx).Seq;
        var parts = new List<ClosingReport>();
        foreach (var entry in JournalStore.ReadKind(c, tx, JournalKinds.Closing, null, afterSeq, toSeq))
        {
            var part = Parse(entry.Seq, entry.Body);
            if (part.Period == "day" && part.Scope != Host)
            {
                parts.Add(part);
            }
        }

        var label = parts.Count > 0 ? parts.Min(p => p.Label)! : TimeZoneInfo.ConvertTime(now, TicketNumbering.FindZone(options.DefaultTimeZone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return Append(c, tx, Sum("day", Host, label, previous, afterSeq, toSeq, parts, Carry(open, previous), closedBy, now, requestId), now);
    }

    /// <summary>
    /// Month or year closings of <paramref name="scope"/>, by the calendar: each complete month not closed yet sums the
    /// scope's day closings labelled in it (a day closed on the 3rd of the next month still belongs to its own month),
    /// each complete year its month closings, the year's pending months closed first. The current month or year is never
    /// closed: it is not over. Returns the closings made, oldest first.
    /// </summary>
    private List<(ClosingReport Report, JournalHead Head)> CloseCalendar(SqliteConnection c, SqliteTransaction tx, string period, string scope, string closedBy,
        DateTimeOffset now, IReadOnlyList<OpenItem> open, string? requestId)
    {
        var zone = TicketNumbering.FindZone(scope != Host && options.TimeZones.TryGetValue(scope, out var z) && !string.IsNullOrWhiteSpace(z) ? z : options.DefaultTimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var made = CloseGroups(c, tx, "month", "day", scope, local.ToString("yyyy-MM", CultureInfo.InvariantCulture), 7, closedBy, now, open, requestId);
        if (period == "year")
        {
            made = CloseGroups(c, tx, "year", "month", scope, local.ToString("yyyy", CultureInfo.InvariantCulture), 4, closedBy, now, open, requestId);
        }

        return made.Count > 0
            ? made
            : throw new MiddlewareException(ErrorCode.InvalidRequest, period == "month"
                ? $"No complete month to close for {scope}: {local:yyyy-MM} is not over, and every earlier month with sales is closed."
                : $"No complete year to close for {scope}: {local:yyyy} is not over, and every earlier year with sales is closed.");
    }

    /// <summary>One <paramref name="period"/> closing per complete period (label before <paramref name="current"/>) not yet
    /// closed, each the sum of the <paramref name="partPeriod"/> closings labelled in it.</summary>
    private List<(ClosingReport Report, JournalHead Head)> CloseGroups(SqliteConnection c, SqliteTransaction tx, string period, string partPeriod, string scope,
        string current, int labelLength, string closedBy, DateTimeOffset now, IReadOnlyList<OpenItem> open, string? requestId)
    {
        var previous = Last(c, tx, period, scope);
        var parts = new List<ClosingReport>();
        foreach (var entry in JournalStore.ReadKind(c, tx, JournalKinds.Closing, scope, 0))
        {
            var part = Parse(entry.Seq, entry.Body);
            var key = part.Label[..Math.Min(labelLength, part.Label.Length)];
            if (part.Period == partPeriod && string.CompareOrdinal(key, current) < 0 && (previous is null || string.CompareOrdinal(key, previous.Label) > 0))
            {
                parts.Add(part);
            }
        }

        var made = new List<(ClosingReport, JournalHead)>();
        foreach (var group in parts.GroupBy(p => p.Label[..labelLength]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var afterSeq = previous?.JournalSeq ?? 0;
            var toSeq = JournalStore.Head(c, tx).Seq;
            var (report, head) = Append(c, tx, Sum(period, scope, group.Key, previous, afterSeq, toSeq, [.. group], Carry(open, previous), closedBy, now, requestId), now);
            made.Add((report, head));
            previous = report;
        }

        return made;
    }

    /// <summary>A closing that sums <paramref name="parts"/>.</summary>
    private ClosingReport Sum(string period, string scope, string label, ClosingReport? previous, long afterSeq, long toSeq, IReadOnlyList<ClosingReport> parts,
        IReadOnlyList<OpenItem> open, string closedBy, DateTimeOffset now, string? requestId)
    {
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
        return Report(period, scope, label, previous, afterSeq, toSeq, sales.Build(), refunds.Build(), ranges, open, [.. parts.Select(p => p.Id)], closedBy, now, requestId);
    }

    /// <summary>A closing of <paramref name="scope"/> following <paramref name="previous"/>: numbered after it, its grand total carried on.</summary>
    private ClosingReport Report(string period, string scope, string label, ClosingReport? previous, long afterSeq, long toSeq, ClosingTotals sales, ClosingTotals refunds,
        IReadOnlyList<TicketRange> ranges, IReadOnlyList<OpenItem> open, IReadOnlyList<string> parts, string closedBy, DateTimeOffset now, string? requestId)
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
            RequestId = requestId,
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

    /// <summary>The last closing made by <paramref name="requestId"/>, or null.</summary>
    private static ClosingReport? FindByRequest(SqliteConnection c, SqliteTransaction tx, string requestId)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT seq, body FROM journal WHERE kind = 'closing' AND json_extract(body, '$.requestId') = $r ORDER BY seq DESC LIMIT 1";
        cmd.Parameters.AddWithValue("$r", requestId);
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
