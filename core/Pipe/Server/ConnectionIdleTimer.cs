namespace Middleware.Pipe.Server;

/// <summary>
/// Closes a connection that says nothing: before <c>hello</c>, <c>Pipe:HelloTimeout</c> after it connected (whatever it
/// sent meanwhile); after, <c>Pipe:IdleTimeout</c> after the last call it sent, unless a call is still running. One timer
/// per connection, re-armed only when it fires (a busy till does not touch it on each call).
/// </summary>
internal sealed class ConnectionIdleTimer : IDisposable
{
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan helloTimeout;
    private readonly TimeSpan idleTimeout;
    private readonly Func<bool> saidHello;
    private readonly Func<int> callsInFlight;
    private readonly Action<string> close;
    private readonly long connectedAt;
    private readonly ITimer timer;
    private long lastMessageAt;

    public ConnectionIdleTimer(TimeProvider timeProvider, TimeSpan helloTimeout, TimeSpan idleTimeout, Func<bool> saidHello, Func<int> callsInFlight, Action<string> close)
    {
        this.timeProvider = timeProvider;
        this.helloTimeout = helloTimeout;
        this.idleTimeout = idleTimeout;
        this.saidHello = saidHello;
        this.callsInFlight = callsInFlight;
        this.close = close;
        connectedAt = lastMessageAt = timeProvider.GetTimestamp();
        timer = timeProvider.CreateTimer(_ => Check(), null, helloTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The till sent a call.</summary>
    public void Touch() => Volatile.Write(ref lastMessageAt, timeProvider.GetTimestamp());

    public void Dispose() => timer.Dispose();

    private void Check()
    {
        if (!saidHello())
        {
            var waited = timeProvider.GetElapsedTime(connectedAt);
            if (waited >= helloTimeout)
            {
                close($"no hello within {helloTimeout.TotalSeconds:0.#} s");
                return;
            }

            Rearm(helloTimeout - waited);
            return;
        }

        var idle = timeProvider.GetElapsedTime(Volatile.Read(ref lastMessageAt));
        if (idle >= idleTimeout && callsInFlight() == 0)
        {
            close($"idle for {idleTimeout}");
            return;
        }

        Rearm(idle >= idleTimeout ? idleTimeout : idleTimeout - idle);
    }

    private void Rearm(TimeSpan due)
    {
        try
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    }
}
