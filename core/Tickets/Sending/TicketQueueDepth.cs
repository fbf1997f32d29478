using System.Globalization;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Sending;

/// <summary>The outbox's pending and dead tickets of one point of sale, and the commit time of its oldest pending one.</summary>
public sealed record TicketQueueEntry(string PointOfSale, int Pending, int Dead, DateTimeOffset? OldestPendingAt);

/// <summary>The outbox's queue per point of sale, read when asked.</summary>
public sealed record TicketQueueSnapshot(IReadOnlyList<TicketQueueEntry> PointsOfSale, DateTimeOffset ReadAt)
{
    public int Pending => PointsOfSale.Sum(p => p.Pending);
    public int Dead => PointsOfSale.Sum(p => p.Dead);

    /// <summary>The age of the oldest pending ticket of all points of sale; zero when none is pending.</summary>
    public TimeSpan OldestPendingAge => PointsOfSale.Where(p => p.OldestPendingAt is not null)
        .Select(p => ReadAt - p.OldestPendingAt!.Value).DefaultIfEmpty(TimeSpan.Zero).Max();
}

/// <summary>
/// Reads the outbox's queue depth for the metrics (a scrape every few seconds) and the <c>stores</c> health check. The
/// query walks the (state, pos, id) index over pending and dead tickets only, never the sent ones, so its cost follows
/// the backlog, not the history; a reading is reused for one second (the three gauges of a collection share it).
/// </summary>
public sealed class TicketQueueDepth
{
    private static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);
    private readonly TicketDatabase _db;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<string> _pointsOfSale;
    private TicketQueueSnapshot? _last;

    // Each point of sale the host serves is listed, with zeros when its queue is empty: a gauge series that vanishes
    // when the queue drains reads as "no data" in a collector, not as 0.
    internal TicketQueueDepth(TicketDatabase db, TimeProvider time, IEnumerable<string> pointsOfSale)
    {
        _db = db;
        _time = time;
        _pointsOfSale = [.. pointsOfSale];
    }

    /// <summary>The queue now, or the reading of less than a second ago.</summary>
    public TicketQueueSnapshot Read()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_last is { } last && now - last.ReadAt < Reuse && now >= last.ReadAt)
            {
                return last;
            }

            _last = ReadNow(now);
            return _last;
        }
    }

    private TicketQueueSnapshot ReadNow(DateTimeOffset now)
    {
        using var c = _db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT pos, state, COUNT(*), MIN(committed_at) FROM tickets INDEXED BY ix_tickets_state
            WHERE state IN (0, 2) GROUP BY state, pos
            """;
        var byPos = new SortedDictionary<string, TicketQueueEntry>(StringComparer.Ordinal);
        foreach (var pos in _pointsOfSale)
        {
            byPos[pos] = new TicketQueueEntry(pos, 0, 0, null);
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var pos = r.GetString(0);
            var entry = byPos.TryGetValue(pos, out var e) ? e : new TicketQueueEntry(pos, 0, 0, null);
            byPos[pos] = r.GetInt32(1) == 0
                ? entry with { Pending = r.GetInt32(2), OldestPendingAt = r.IsDBNull(3) ? null : DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture) }
                : entry with { Dead = r.GetInt32(2) };
        }

        return new TicketQueueSnapshot([.. byPos.Values], now);
    }
}
