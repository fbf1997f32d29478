namespace Middleware.Pipe.Server;

/// <summary>What the message handler tells its connection, for the idle timeout and the logs.</summary>
internal interface IConnectionEvents
{
    /// <summary>A call was read from the till.</summary>
    void MessageRead();

    /// <summary>A message that gets no answer was dropped (<paramref name="what"/> says which kind).</summary>
    void MessageDropped(string what);

    /// <summary>The till let its unread answers fill the output buffer for longer than the write timeout.</summary>
    void WriteTimedOut();
}
