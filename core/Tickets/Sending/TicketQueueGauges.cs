using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Domain.Telemetry;

namespace Middleware.Tickets.Sending;

/// <summary>
/// The outbox's queue as observable gauges, per point of sale: pending and dead tickets, and the oldest pending one's
/// age. Made from the host's IMeterFactory, so they end with the host (a test process starts many hosts); read only
/// when a collector asks.
/// </summary>
public sealed class TicketQueueGauges
{
    public TicketQueueGauges(IMeterFactory meters, TicketQueueDepth queue)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MiddlewareTelemetry.Name);
        meter.CreateObservableGauge("middleware.tickets.pending", () => Per(queue, e => e.Pending), "{ticket}",
            "Tickets committed and not yet accepted by VEM, per point of sale.");
        meter.CreateObservableGauge("middleware.tickets.dead", () => Per(queue, e => e.Dead), "{ticket}",
            "Tickets VEM refused for good (dead letters), per point of sale: each one is a sale VEM does not have.");
        meter.CreateObservableGauge("middleware.tickets.oldest_pending_age", () => Per(queue, e => e.OldestPendingAt is { } at ? Math.Max(0, (queue.Read().ReadAt - at).TotalSeconds) : 0), "s",
            "Age of the oldest pending ticket, per point of sale (0 when none is pending).");
    }

    private static IEnumerable<Measurement<double>> Per(TicketQueueDepth queue, Func<TicketQueueEntry, double> value) =>
        queue.Read().PointsOfSale.Select(e => new Measurement<double>(value(e), new TagList { { MiddlewareTelemetry.Tags.PointOfSale, e.PointOfSale } }));
}
