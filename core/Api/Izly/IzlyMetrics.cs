using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Contracts.Channels;
using Middleware.Domain.Telemetry;

namespace Middleware.Api.Izly;

/// <summary>Each Izly call's latency by operation (the client's own names: debit, searchQRCode...) and result.</summary>
internal static class IzlyMetrics
{
    private static readonly Histogram<double> CallDuration = MiddlewareTelemetry.Meter.CreateHistogram(
        "middleware.izly.call.duration", "s", "Time of one Izly call (retries and a key refresh included), by operation and result (ok, not_found, refused, unavailable, cancelled).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30] });

    public static void Called(string operation, string result, TimeSpan elapsed)
    {
        if (CallDuration.Enabled)
        {
            CallDuration.Record(elapsed.TotalSeconds, new TagList { { MiddlewareTelemetry.Tags.Operation, operation }, { MiddlewareTelemetry.Tags.Result, result } });
        }
    }

    public static string ResultOf(Exception ex) => ex switch
    {
        IzlyRefusedException => "refused",
        OperationCanceledException => "cancelled",
        _ => "unavailable",
    };
}
