using System.Globalization;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Numbering;
using Middleware.Tickets.Storage;

namespace Middleware.Tickets.Closing;

/// <summary>The day so far of one point of sale: its sales and refunds as a day closing would sum them.</summary>
public sealed record DayTotals(string PointOfSale, string Date, ClosingTotals Sales, ClosingTotals Refunds, decimal NetTtc);

/// <summary>
/// Today's totals per point of sale and for the host, read from the journal with the closing's own sums
/// (<see cref="ClosingTotalsBuilder"/>) and committing nothing: the operator status page shows them before the close.
/// "Today" is the local date of <see cref="TicketsOptions.DefaultTimeZone"/>.
/// </summary>
public sealed class DayTotalsPreview
{
    /// <summary>Past this many tickets in one day the preview stops reading (a page must answer in bounded time).</summary>
    public const int MaxTickets = 200_000;

    private readonly TicketDatabase db;
    private readonly TicketsOptions options;
    private readonly TimeProvider time;

    internal DayTotalsPreview(TicketDatabase db, TicketsOptions options, TimeProvider time)
    {
        this.db = db;
        this.options = options;
        this.time = time;
    }

    /// <summary>Per point of sale with a ticket today (ordered by id), then the host's sum under <see cref="ClosingService.Host"/>.</summary>
    public Task<IReadOnlyList<DayTotals>> TodayAsync(CancellationToken cancellationToken) => Task.Run<IReadOnlyList<DayTotals>>(() =>
    {
        var zone = TicketNumbering.FindZone(options.DefaultTimeZone);
        var now = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone);
        var midnight = new DateTimeOffset(now.Date, zone.GetUtcOffset(now.Date)).ToUniversalTime();
        var date = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var sums = new SortedDictionary<string, (ClosingTotalsBuilder Sales, ClosingTotalsBuilder Refunds)>(StringComparer.Ordinal);
        var host = (Sales: new ClosingTotalsBuilder(), Refunds: new ClosingTotalsBuilder());
        using var c = db.Open(durable: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT pos, body FROM journal WHERE kind = $k AND at >= $since ORDER BY seq LIMIT $l";
        cmd.Parameters.AddWithValue("$k", JournalKinds.Ticket);
        cmd.Parameters.AddWithValue("$since", midnight.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$l", MaxTickets);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.IsDBNull(0) || ClosingTotalsBuilder.ParseTicket(reader.GetString(1)) is not { } ticket)
            {
                continue;
            }

            var pos = reader.GetString(0);
            if (!sums.TryGetValue(pos, out var builders))
            {
                builders = (new ClosingTotalsBuilder(), new ClosingTotalsBuilder());
                sums[pos] = builders;
            }

            // Rates are left out: the page shows amounts, which are the tickets' own.
            var refund = ticket.CodeEvenement == "RB";
            (refund ? builders.Refunds : builders.Sales).AddTicket(ticket, _ => null);
            (refund ? host.Refunds : host.Sales).AddTicket(ticket, _ => null);
        }

        var list = sums.Select(p => Totals(p.Key, date, p.Value.Sales, p.Value.Refunds)).ToList();
        list.Add(Totals(ClosingService.Host, date, host.Sales, host.Refunds));
        return list;
    }, cancellationToken);

    private static DayTotals Totals(string scope, string date, ClosingTotalsBuilder sales, ClosingTotalsBuilder refunds)
    {
        var s = sales.Build();
        var r = refunds.Build();
        return new DayTotals(scope, date, s, r, s.TotalTtc + r.TotalTtc);
    }
}
