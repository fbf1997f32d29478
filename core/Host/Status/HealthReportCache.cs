using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Middleware.Host.Status;

/// <summary>
/// The host's health report (the checks core/Host/Health registers: vem, izly, pcscd, ...), kept
/// <see cref="MaxAge"/>: a page refreshed every few seconds by several operators calls VEM and Izly once per period.
/// </summary>
internal sealed class HealthReportCache(HealthCheckService health, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (HealthReport Report, DateTimeOffset At)? _last;

    public async Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        // One check at a time: callers arriving meanwhile take its answer instead of starting their own.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            var report = await health.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            _last = (report, time.GetUtcNow());
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private HealthReport? Fresh() => _last is { } last && time.GetUtcNow() - last.At < MaxAge ? last.Report : null;
}
