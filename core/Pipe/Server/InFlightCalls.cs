using StreamJsonRpc;

namespace Middleware.Pipe.Server;

/// <summary>
/// The calls of one connection read but not yet answered: at most <c>Pipe:MaxInFlightPerConnection</c>. The reader takes
/// a slot before it reads a message and the answer gives it back once it is handed to the output, so a till that sends
/// faster than it reads its answers is no longer read (backpressure) instead of growing the host.
/// </summary>
internal sealed class InFlightCalls(int max)
{
    private readonly SemaphoreSlim slots = new(max, max);
    private readonly Dictionary<RequestId, int> calls = [];
    private int count;

    /// <summary>Calls read whose answer is not written yet: the slots taken.</summary>
    public int Count => Volatile.Read(ref count);

    public Task WaitForSlotAsync(CancellationToken cancellationToken) => slots.WaitAsync(cancellationToken);

    /// <summary>Gives back a slot taken for a message that gets no answer.</summary>
    public void ReleaseSlot() => slots.Release();

    /// <summary>Records a call holding a slot. True when another call with the same id is still in flight (an id
    /// <c>null</c>, as in parse-error answers, is never a duplicate).</summary>
    public bool Begin(RequestId id)
    {
        lock (calls)
        {
            calls.TryGetValue(id, out var already);
            calls[id] = already + 1;
            Interlocked.Increment(ref count);
            return already > 0 && !id.IsNull;
        }
    }

    /// <summary>An answer with this id is about to be written: the id is free again before the till can read the
    /// answer (a till that reuses an id as soon as it has its answer must not be told the id is still in flight).
    /// True when a call was found; that call's slot is then given back by <see cref="AnswerWritten"/>, once the answer
    /// is in the output, so that backpressure still holds. A second answer for one call (StreamJsonRpc's apology after
    /// a failed send) finds nothing.</summary>
    public bool Answering(RequestId id)
    {
        lock (calls)
        {
            if (!calls.TryGetValue(id, out var n))
            {
                return false;
            }

            if (n == 1)
            {
                calls.Remove(id);
            }
            else
            {
                calls[id] = n - 1;
            }

            return true;
        }
    }

    /// <summary>The answer of a call that <see cref="Answering"/> found was written (or could not be): frees its slot.</summary>
    public void AnswerWritten()
    {
        Interlocked.Decrement(ref count);
        slots.Release();
    }
}
