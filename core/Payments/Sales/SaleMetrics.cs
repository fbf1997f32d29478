using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Domain.Telemetry;
using Tag = Middleware.Domain.Telemetry.MiddlewareTelemetry.Tags;

namespace Middleware.Payments.Sales;

/// <summary>
/// Sales and payments by outcome. Counted at the state change that happens once per sale (a store update that only one
/// caller wins), so a till's retry or the recovery pass never counts a sale twice.
/// </summary>
internal static class SaleMetrics
{
    private static readonly Counter<long> Sales = MiddlewareTelemetry.Meter.CreateCounter<long>(
        "middleware.sales", "{sale}", "Sales that reached an outcome: committed, paid_no_ticket or payment_refused.");

    private static readonly Counter<long> Payments = MiddlewareTelemetry.Meter.CreateCounter<long>(
        "middleware.payments", "{payment}", "Payments by outcome: approved, refused, cancelled, or unknown (the till's call got no final answer).");

    public static void Sale(Sale sale, string outcome)
    {
        if (Sales.Enabled)
        {
            Sales.Add(1, Tags(sale, outcome));
        }
    }

    public static void Payment(Sale sale, string outcome)
    {
        if (Payments.Enabled)
        {
            Payments.Add(1, Tags(sale, outcome));
        }
    }

    // Method and point of sale are bounded: the method is one of izly, cb, izlypay (checked at sale.pay), the point of
    // sale one the host serves.
    private static TagList Tags(Sale sale, string outcome) => new()
    {
        { Tag.Outcome, outcome },
        { Tag.PaymentMethod, sale.PaymentMethod ?? "none" },
        { Tag.PointOfSale, sale.PointOfSale },
    };
}
