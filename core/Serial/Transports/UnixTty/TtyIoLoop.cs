using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>
/// The thread that waits for a tty on behalf of reads and writes that could not complete at once: poll(2) on the tty
/// (POLLIN while reads wait or while idle, POLLOUT while writes wait) and on an eventfd that a write, a fired token or
/// <see cref="Dispose"/> writes to (a read needs no wake-up while the thread already watches for input). One thread
/// per open tty, started at the first wait, gone at dispose or hang-up, so a read waiting 30 s for a card holds no
/// thread-pool thread. Requests complete with their continuations on the thread pool: the caller's code never runs on
/// this thread.
/// </summary>
internal sealed unsafe class TtyIoLoop(FileDescriptorHandle tty) : IDisposable
{
    // A device that keeps polling readable while read(2) finds nothing is at its end (see TtyStream's remarks).
    private const int MaxEmptyReads = 3;

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(2);

    private readonly FileDescriptorHandle _wake = FileDescriptorHandle.CreateEvent();
    private readonly Lock _gate = new();
    private readonly Queue<TtyRequest> _reads = new();
    private readonly Queue<TtyRequest> _writes = new();
    private Thread? _thread;
    private Exception? _ended;
    private bool _closed;

    // Whether the thread's poll watches for input now: it does while reads wait, and while idle unless input came
    // that no read has taken yet (watching then would spin; a read's Submit wakes the thread instead).
    private bool _pollingIn;
    private bool _inputPending;
    private int _waitingReads;
    private int _waitingWrites;

    /// <summary>Whether reads (or writes) wait in the loop: a new one must queue behind them to keep the byte order.</summary>
    public bool ReadsWaiting => Volatile.Read(ref _waitingReads) != 0;

    public bool WritesWaiting => Volatile.Read(ref _waitingWrites) != 0;

    /// <summary>Queues a request until the tty is ready for it.</summary>
    public Task<int> Submit(TtyRequest request, bool write)
    {
        bool wake;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_ended is { } ended)
            {
                request.Fail(ended);
                return request.Task;
            }

            // Armed before the loop can see the request (the lock orders the two): the registration is complete when
            // the loop completes the request and disposes it.
            request.WatchToken(_wake.Signal);
            (write ? _writes : _reads).Enqueue(request);
            Interlocked.Increment(ref write ? ref _waitingWrites : ref _waitingReads);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "Serial tty poll" };
                _thread.Start();
            }

            // A read needs no wake-up when the thread already polls for input: the next byte wakes it (one thread
            // switch per wait instead of two).
            wake = write || !_pollingIn;
        }

        if (wake)
        {
            _wake.Signal();
        }

        return request.Task;
    }

    /// <summary>Fails what waits with <see cref="ObjectDisposedException"/> and waits (bounded) for the thread to let go
    /// of the descriptors, so that the tty is closed when the stream's Dispose returns: a device taken with TIOCEXCL
    /// can then be opened again at once.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            thread = _thread;
        }

        _wake.Signal();
        if (thread is not null && thread != Thread.CurrentThread)
        {
            // Bounded: should the thread not be done by then (not expected: it only polls and reads), the descriptors
            // close when it lets go of them.
            _ = thread.Join(JoinTimeout);
        }

        _wake.Dispose();
    }

    private void Run()
    {
        var ttyAdded = false;
        var wakeAdded = false;
        try
        {
            tty.DangerousAddRef(ref ttyAdded);
            _wake.DangerousAddRef(ref wakeAdded);
            Loop((int)tty.DangerousGetHandle(), (int)_wake.DangerousGetHandle());
        }
        catch (Exception e)
        {
            // Only a closed handle gets here (the loop catches the rest): a dispose that raced the start.
            End(e is ObjectDisposedException ? e : new IOException("The serial tty loop failed.", e));
        }
        finally
        {
            if (wakeAdded)
            {
                _wake.DangerousRelease();
            }

            if (ttyAdded)
            {
                tty.DangerousRelease();
            }
        }
    }

    private void Loop(int ttyFd, int wakeFd)
    {
        var fds = stackalloc LibC.PollFd[2];
        var emptyReads = 0;
        while (true)
        {
            short events = 0;
            lock (_gate)
            {
                if (_closed)
                {
                    End(new ObjectDisposedException(nameof(TtyStream)));
                    return;
                }

                _pollingIn = DropDone(_reads, ref _waitingReads) || !_inputPending;
                events |= _pollingIn ? LibC.PollIn : (short)0;
                events |= DropDone(_writes, ref _waitingWrites) ? LibC.PollOut : (short)0;
            }

            // The tty stays in the set even with no events: a hang-up still shows (POLLHUP is always reported).
            fds[0] = new LibC.PollFd { Fd = ttyFd, Events = events };
            fds[1] = new LibC.PollFd { Fd = wakeFd, Events = LibC.PollIn };
            if (LibC.Poll(fds, 2, -1) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EIntr)
                {
                    continue;
                }

                End(TtyStream.Failure("poll", errno));
                return;
            }

            if ((fds[1].Revents & LibC.PollIn) != 0)
            {
                ulong count;
                _ = LibC.Read(wakeFd, (byte*)&count, sizeof(ulong)); // resets the eventfd; EAGAIN if raced: harmless
            }

            var ready = fds[0].Revents;
            if ((ready & LibC.PollIn) == 0)
            {
                emptyReads = 0; // only empty reads in a row, each after a "readable", mean the end
            }
            if ((ready & (LibC.PollHup | LibC.PollErr | LibC.PollNval)) != 0)
            {
                End(new IOException("The device hung up (unplugged, or the other end of the pseudo-terminal closed)."));
                return;
            }

            try
            {
                if ((ready & LibC.PollIn) != 0 && PeekRead() is { } read && read.TryTake())
                {
                    var got = TtyStream.TryRead(ttyFd, read.ReadBuffer.Span);
                    if (got > 0)
                    {
                        emptyReads = 0;
                        Dequeue(_reads, ref _waitingReads);
                        read.Complete(got);
                    }
                    else if (++emptyReads >= MaxEmptyReads)
                    {
                        Dequeue(_reads, ref _waitingReads);
                        read.Complete(0);
                    }
                    else
                    {
                        read.GiveBack();
                    }
                }

                if ((ready & LibC.PollOut) != 0 && PeekWrite() is { } write && write.TryTake())
                {
                    write.Written += TtyStream.TryWrite(ttyFd, write.WriteData.Span[write.Written..]);
                    if (write.Written == write.WriteData.Length)
                    {
                        Dequeue(_writes, ref _waitingWrites);
                        write.Complete(write.Written);
                    }
                    else
                    {
                        write.GiveBack();
                    }
                }
            }
            catch (IOException e)
            {
                End(e);
                return;
            }
        }
    }

    /// <summary>Drops requests cancelled at the head of <paramref name="queue"/>; whether one still waits.</summary>
    private static bool DropDone(Queue<TtyRequest> queue, ref int waiting)
    {
        while (queue.TryPeek(out var head) && head.IsDone)
        {
            queue.Dequeue();
            Interlocked.Decrement(ref waiting);
        }

        return queue.Count != 0;
    }

    /// <summary>The read to serve now the tty has input; none marks the input pending until a read comes.</summary>
    private TtyRequest? PeekRead()
    {
        lock (_gate)
        {
            var some = _reads.TryPeek(out var head);
            _inputPending = !some;
            return head;
        }
    }

    private TtyRequest? PeekWrite()
    {
        lock (_gate)
        {
            return _writes.TryPeek(out var head) ? head : null;
        }
    }

    private void Dequeue(Queue<TtyRequest> queue, ref int waiting)
    {
        lock (_gate)
        {
            queue.Dequeue();
            Interlocked.Decrement(ref waiting);
        }
    }

    /// <summary>The loop stops: what waits fails with <paramref name="error"/>, and so does whatever comes later.</summary>
    private void End(Exception error)
    {
        List<TtyRequest> waiting;
        lock (_gate)
        {
            _ended ??= error;
            waiting = [.. _reads, .. _writes];
            _reads.Clear();
            _writes.Clear();
            _waitingReads = 0;
            _waitingWrites = 0;
            _pollingIn = false;
        }

        foreach (var request in waiting)
        {
            request.Fail(error);
        }
    }
}
