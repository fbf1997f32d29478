namespace Middleware.Serial.Transports;

/// <summary>A synchronous open of a device (open(2) may block on some drivers, even with O_NONBLOCK) run aside and
/// bounded by the link's open timeout; an open that finishes after the caller gave up is closed.</summary>
internal static class BoundedOpen
{
    public static async Task<LinkConnection> RunAsync(Func<LinkConnection> open, string path, TimeSpan openTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var opening = Task.Run(open, CancellationToken.None);
        try
        {
            return await opening.WaitAsync(openTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // The open still runs: close what it opens, if it ever does.
            _ = opening.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            if (e is TimeoutException)
            {
                throw new IOException($"Opening the serial port {path} took longer than {openTimeout}.", e);
            }

            throw;
        }
    }
}
