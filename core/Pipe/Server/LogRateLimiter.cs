namespace Middleware.Pipe.Server;

/// <summary>
/// At most <c>limit</c> log entries per minute for one source (a connection, or the accept loop): a till repeating a bad
/// call cannot flood the host's log. The first entry after a muted stretch says how many were left out.
/// </summary>
internal sealed class LogRateLimiter(int limit, TimeProvider timeProvider)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock gate = new();
    private long windowStart = timeProvider.GetTimestamp();
    private int written;
    private int suppressed;

    /// <summary>Entries left out over this limiter's life, for tests and status.</summary>
    public long TotalSuppressed { get; private set; }

    /// <summary>True when this entry may be written; <paramref name="suppressedBefore"/> is how many were left out
    /// since the previous entry written.</summary>
    public bool TryEnter(out int suppressedBefore)
    {
        lock (gate)
        {
            if (timeProvider.GetElapsedTime(windowStart) >= Window)
            {
                windowStart = timeProvider.GetTimestamp();
                written = 0;
            }

            if (written >= limit)
            {
                suppressed++;
                TotalSuppressed++;
                suppressedBefore = 0;
                return false;
            }

            written++;
            suppressedBefore = suppressed;
            suppressed = 0;
            return true;
        }
    }
}
