namespace Middleware.Pipe.Server;

/// <summary>
/// Runs JSON-RPC dispatch on the thread that read the message. StreamJsonRpc's default, a non-concurrent context per
/// connection, queues every call to the thread pool before the method runs: one more thread hop and context switch
/// per call, which under 8 busy tills made the pipe's p99 twice a raw echo's. Order is kept all the same: the reader
/// runs each method until its first real await before it reads the next line, as the default did. The context is
/// never made current, so a method's own continuations run on the thread pool, not inline here.
/// </summary>
internal sealed class InlineSynchronizationContext : SynchronizationContext
{
    public static InlineSynchronizationContext Instance { get; } = new();

    public override void Post(SendOrPostCallback d, object? state) => d(state);

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    public override SynchronizationContext CreateCopy() => this;
}
