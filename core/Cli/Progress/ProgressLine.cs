using System.Globalization;

namespace Middleware.Cli.Progress;

/// <summary>
/// Progress of a long operation on stderr ("what: done/total, elapsed"), so that <c>--json</c> on stdout stays clean.
/// One line per report at most every <c>interval</c> (a log of a long run is not flooded), the first and the last
/// always; plain lines, not carriage returns, because the output often goes to a file or a CI log.
/// </summary>
internal sealed class ProgressLine(TextWriter error, string what, TimeProvider time, TimeSpan interval)
{
    private readonly long started = time.GetTimestamp();
    private long lastWritten;
    private bool any;

    public TimeSpan Elapsed => time.GetElapsedTime(started);

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/>; written when due, or when done.</summary>
    public void Report(int done, int total)
    {
        var now = time.GetTimestamp();
        if (any && done < total && time.GetElapsedTime(lastWritten, now) < interval)
        {
            return;
        }

        any = true;
        lastWritten = now;
        error.WriteLine($"{what}: {done}/{total}, {Seconds(Elapsed)}");
    }

    /// <summary>One line saying the operation still runs (a single long call has no count).</summary>
    public void Waiting() => error.WriteLine($"{what}: waiting for the middleware, {Seconds(Elapsed)}");

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>Awaits <paramref name="call"/>, writing a waiting line every <c>interval</c> while it runs.</summary>
    public async Task<T> WhileAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        while (!call.IsCompleted)
        {
            var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(call, tick) == tick && !call.IsCompleted)
            {
                await tick;
                Waiting();
            }
        }

        return await call;
    }
}
