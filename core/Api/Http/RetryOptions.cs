namespace Middleware.Api.Http;

/// <summary>Backoff for calls that are safe to repeat. Exponential with jitter (Polly).</summary>
public sealed class RetryOptions
{
    /// <summary>Retries after the first attempt, for calls safe to repeat. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; it doubles on each retry, with jitter. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one backoff delay. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Whether a call may be sent again after a failure whose outcome is unknown.</summary>
internal enum CallSafety
{
    /// <summary>GETs and idempotent writes: retried with backoff on timeouts, network errors and 5xx.</summary>
    SafeToRepeat,

    /// <summary>Sent once: a repeat could act twice (a debit, a kitchen order).</summary>
    SendOnce,
}
