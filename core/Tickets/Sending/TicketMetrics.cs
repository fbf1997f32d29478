using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Domain.Telemetry;

namespace Middleware.Tickets.Sending;

/// <summary>The upload of each ticket to VEM: its latency by result (accepted, rejected, transient).</summary>
internal static class TicketMetrics
{
    private static readonly Histogram<double> UploadDuration = MiddlewareTelemetry.Meter.CreateHistogram(
        "middleware.tickets.upload.duration", "s", "Time of one ticket's upload to VEM, by result (accepted, rejected, transient).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    public static void Uploaded(TimeSpan elapsed, TicketUploadStatus status)
    {
        if (UploadDuration.Enabled)
        {
            UploadDuration.Record(elapsed.TotalSeconds, new TagList { { MiddlewareTelemetry.Tags.Result, ResultOf(status) } });
        }
    }

    internal static string ResultOf(TicketUploadStatus status) => status switch
    {
        TicketUploadStatus.Integrated or TicketUploadStatus.Duplicate => "accepted",
        TicketUploadStatus.TransientFailure => "transient",
        _ => "rejected",
    };
}
