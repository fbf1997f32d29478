using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Middleware.Host.Status;

/// <summary>Runs one part of the snapshot within its time limit: a part that throws or hangs gives its error, not the page's.</summary>
internal sealed partial class StatusPartRunner(TimeProvider time, ILogger<StatusPartRunner> logger)
{
    public async Task<StatusPart<T>> RunAsync<T>(string name, TimeSpan timeout, Func<CancellationToken, Task<IReadOnlyList<T>>> part, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            // WaitAsync too: a part that ignores its token still gives up its place on time.
            var items = await part(limit.Token).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return new StatusPart<T>(items, null, Elapsed(started));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or TimeoutException)
        {
            LogPartTimedOut(logger, name, (long)timeout.TotalMilliseconds);
            return new StatusPart<T>([], $"no answer within {timeout.TotalSeconds:0.#} s", Elapsed(started));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogPartFailed(logger, ex, name);
            return new StatusPart<T>([], $"{ex.GetType().Name}: {ex.Message}", Elapsed(started));
        }
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    // Debug, not Warning: a failing part would otherwise fill the recent errors it is shown beside at each refresh.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Status part {Part} gave no answer within {TimeoutMs} ms")]
    private static partial void LogPartTimedOut(ILogger logger, string part, long timeoutMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status part {Part} failed")]
    private static partial void LogPartFailed(ILogger logger, Exception exception, string part);
}
