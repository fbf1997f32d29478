namespace Middleware.PluginHost.Threads;

/// <summary>One entry into plugin code on a thread of its own: whether that thread is still inside the plugin's
/// synchronous code, and whether the host gave up on it.</summary>
internal sealed class PluginRun(string place, DateTimeOffset startedAt)
{
    private const int InPlugin = 0;
    private const int Returned = 1;
    private const int Abandoned = 2;
    private int _state;

    /// <summary>What the plugin was asked to do ("a call", "StartAsync", ...), for reasons and logs.</summary>
    public string Place { get; } = place;

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>True once the plugin's code gave its thread back (returned a task or threw).</summary>
    public bool HasReturned => Volatile.Read(ref _state) == Returned;

    /// <summary>The host stops waiting for a thread still inside the plugin; false when it has returned meanwhile.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, InPlugin) == InPlugin;

    /// <summary>Called by the thread when the plugin's code returns; true when the host had abandoned it.</summary>
    public bool MarkReturned() => Interlocked.Exchange(ref _state, Returned) == Abandoned;
}
