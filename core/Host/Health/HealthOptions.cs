namespace Middleware.Host.Health;

/// <summary>Section <c>Health</c>: the thresholds of the health checks (<c>GET /health</c> on the operator web server).</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>Longest wait for VEM's or Izly's answer to the reachability request; none by then is Unhealthy. Default 3 s.</summary>
    public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>An answer slower than this is Degraded. Default 1 s.</summary>
    public TimeSpan ApiSlowAnswer { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for PC/SC's reader list or a store's trivial query. Default 2 s.</summary>
    public TimeSpan LocalTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Dead tickets (VEM refused them for good) from which <c>stores</c> is Degraded. Default 1: any.</summary>
    public int OutboxDeadDegraded { get; set; } = 1;

    /// <summary>The oldest pending ticket's age from which <c>stores</c> is Degraded (VEM unreachable that long). Default 15 min.</summary>
    public TimeSpan OutboxOldestPendingDegraded { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Free bytes on the data folder's volume below which <c>disk</c> is Degraded. Default 1 GiB.</summary>
    public long DiskDegradedBelowBytes { get; set; } = 1L << 30;

    /// <summary>Free bytes below which <c>disk</c> is Unhealthy (a ticket commit may fail). Default 100 MiB.</summary>
    public long DiskUnhealthyBelowBytes { get; set; } = 100L << 20;
}
