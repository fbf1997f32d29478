using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Middleware.Domain.Telemetry;

/// <summary>
/// The host's one meter and one activity source, both named <see cref="Name"/>. Each feature keeps its instruments in a
/// small class of its own folder (SaleMetrics, TicketMetrics, IzlyMetrics, PipeMetrics...). Without a listener (Telemetry
/// off) an instrument's Add or Record and StartActivity return at once: the cost is one check.
/// <para>Tags are bounded: outcomes, methods, points of sale, plugin ids, technologies. Never a sale id, card number,
/// QR text or free text as a tag; the sale id (a GUID, not personal data) only as a span attribute.</para>
/// </summary>
public static class MiddlewareTelemetry
{
    /// <summary>The meter's and the activity source's name, as the exporters subscribe to it.</summary>
    public const string Name = "Izly.Middleware";

    /// <summary>Counters and histograms (observable gauges are made per host from IMeterFactory, so they end with it).</summary>
    public static readonly Meter Meter = new(Name, "1.0");

    /// <summary>Spans along the sale path: pipe call, sale step, Izly call, ticket commit, ticket upload.</summary>
    public static readonly ActivitySource Source = new(Name, "1.0");

    /// <summary>Tag names shared by the features' instruments.</summary>
    public static class Tags
    {
        public const string Outcome = "outcome";
        public const string Result = "result";
        public const string PaymentMethod = "payment_method";
        public const string PointOfSale = "point_of_sale";
        public const string Operation = "operation";
        public const string Method = "method";
        public const string Plugin = "plugin";
        public const string State = "state";
        public const string Technology = "technology";
        public const string SaleId = "sale.id";
    }
}
