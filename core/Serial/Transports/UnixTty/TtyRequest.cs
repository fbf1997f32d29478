namespace Middleware.Serial.Transports.UnixTty;

/// <summary>A read or write waiting for the tty, completed by the I/O loop's thread or by its caller's token. Its
/// state keeps the two apart: the loop takes it (Pending to Busy) before a system call and gives it back if nothing
/// came of it, and a token fires only on a request that is not Busy, so bytes once read are never dropped.</summary>
internal sealed class TtyRequest : TaskCompletionSource<int>
{
    private const int Pending = 0;
    private const int Busy = 1;
    private const int Done = 2;

    private int _state;
    private CancellationTokenRegistration _registration;

    /// <summary>A read into <paramref name="buffer"/>.</summary>
    public TtyRequest(Memory<byte> buffer, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        ReadBuffer = buffer;
        CancellationToken = cancellationToken;
    }

    /// <summary>A write of <paramref name="data"/>, of which <paramref name="written"/> bytes are out already.</summary>
    public TtyRequest(ReadOnlyMemory<byte> data, int written, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        WriteData = data;
        Written = written;
        CancellationToken = cancellationToken;
    }

    public Memory<byte> ReadBuffer { get; }

    public ReadOnlyMemory<byte> WriteData { get; }

    /// <summary>Bytes of <see cref="WriteData"/> the driver has taken so far.</summary>
    public int Written { get; set; }

    public CancellationToken CancellationToken { get; }

    public bool IsDone => Volatile.Read(ref _state) == Done;

    /// <summary>Arms the token once the request is queued; <paramref name="wake"/> tells the loop to drop it.</summary>
    public void WatchToken(Action wake)
    {
        if (CancellationToken.CanBeCanceled)
        {
            _registration = CancellationToken.UnsafeRegister(static (state, _) =>
            {
                var (request, wakeLoop) = ((TtyRequest, Action))state!;
                if (request.TryCancel())
                {
                    wakeLoop();
                }
            }, (this, wake));
        }
    }

    /// <summary>The loop takes the request for a system call; false when it is done (cancelled) already.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Busy, Pending) == Pending;

    /// <summary>The loop gives back a request its system call did not finish; cancels it if its token fired meanwhile.</summary>
    public void GiveBack()
    {
        Volatile.Write(ref _state, Pending);
        if (CancellationToken.IsCancellationRequested)
        {
            TryCancel();
        }
    }

    /// <summary>Completes a request the loop holds (Busy) or any request not done (a failure for all).</summary>
    public void Complete(int result)
    {
        Volatile.Write(ref _state, Done);
        _registration.Dispose();
        TrySetResult(result);
    }

    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _state, Done) != Done)
        {
            _registration.Dispose();
            TrySetException(error);
        }
    }

    private bool TryCancel()
    {
        if (Interlocked.CompareExchange(ref _state, Done, Pending) != Pending)
        {
            return false;
        }

        TrySetCanceled(CancellationToken);
        return true;
    }
}
