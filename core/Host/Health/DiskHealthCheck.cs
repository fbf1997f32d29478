using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Middleware.Host.Health;

/// <summary>
/// <c>disk</c>: free space on the volume of the data folder (the outbox's folder, where every store lives by default):
/// Degraded below <see cref="HealthOptions.DiskDegradedBelowBytes"/>, Unhealthy below
/// <see cref="HealthOptions.DiskUnhealthyBelowBytes"/> (a ticket commit, which needs room, may then fail).
/// </summary>
internal sealed class DiskHealthCheck(IConfiguration configuration, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var folder = Path.GetDirectoryName(configuration["Tickets:DatabasePath"] ?? Path.GetFullPath("data/tickets.db"))!;
        var drive = new DriveInfo(folder);
        var free = drive.AvailableFreeSpace;
        var data = new Dictionary<string, object> { ["folder"] = folder, ["freeBytes"] = free, ["totalBytes"] = drive.TotalSize };
        var text = $"{Mib(free)} MiB free of {Mib(drive.TotalSize)} MiB on the data folder's volume";
        return Task.FromResult(
            free < settings.DiskUnhealthyBelowBytes ? HealthCheckResult.Unhealthy($"{text}, below {Mib(settings.DiskUnhealthyBelowBytes)} MiB.", data: data)
            : free < settings.DiskDegradedBelowBytes ? HealthCheckResult.Degraded($"{text}, below {Mib(settings.DiskDegradedBelowBytes)} MiB.", data: data)
            : HealthCheckResult.Healthy(text + ".", data));
    }

    private static long Mib(long bytes) => bytes >> 20;
}
