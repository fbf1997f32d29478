using System.Collections.Concurrent;
using Middleware.Domain.PointsOfSale;
using Middleware.Tickets.Numbering;

namespace Middleware.Tickets;

/// <summary>The time zone of each point of sale (its local date numbers its tickets).</summary>
internal sealed class TicketZones(TicketsOptions options)
{
    private readonly ConcurrentDictionary<PointOfSaleId, TimeZoneInfo> zones = new();

    public TimeZoneInfo For(PointOfSaleId pos) => zones.GetOrAdd(pos, p =>
        TicketNumbering.FindZone(options.TimeZones.TryGetValue(p.ToString(), out var id) && !string.IsNullOrWhiteSpace(id) ? id : options.DefaultTimeZone));
}
