using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>
/// Reads and writes on a tty opened non-blocking, without System.IO.Ports' 1 ms port loop: a read or write first
/// tries the system call on the caller's thread and completes at once when it can; otherwise a pool thread waits in
/// poll(2) on the tty, on an eventfd that <see cref="Dispose(bool)"/> signals, and on one the caller's token signals,
/// so it wakes as soon as the byte arrives, the token fires or the stream is closed.
/// </summary>
/// <remarks>
/// An empty non-blocking read is EAGAIN with VMIN 1 (what TtyLine sets) but 0 with VMIN 0 (if something else set
/// it), and a hung-up tty's read is 0 too: so neither EAGAIN nor 0 ends a read by itself; poll tells. POLLHUP,
/// POLLERR and EIO (a pty whose other end closed, an unplugged USB device) fail the call with
/// <see cref="IOException"/>, as with System.IO.Ports, so the reconnecting stream reopens the path; a device that
/// keeps polling readable with nothing to read is at its end (the read returns 0).
/// </remarks>
internal sealed unsafe class TtyStream(FileDescriptorHandle tty, FileDescriptorHandle closing) : Stream
{
    // A device that keeps saying "readable" while read(2) finds nothing is treated as ended rather than spun on.
    private const int MaxEmptyReadsAfterPoll = 2;

    private int _disposed;

    /// <summary>The tty's descriptor (for tests that read its settings back).</summary>
    internal FileDescriptorHandle Device => tty;

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
        // write(2) hands the bytes to the driver: nothing is buffered here.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : WaitAndRead(buffer, CancellationToken.None);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[TryWrite(buffer)..];
            if (!buffer.IsEmpty)
            {
                Wait(LibC.PollOut, CancellationToken.None);
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (buffer.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        try
        {
            var read = TryRead(buffer.Span);
            if (read > 0)
            {
                return ValueTask.FromResult(read);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return ValueTask.FromException<int>(e);
        }

        return new ValueTask<int>(Task.Run(() => WaitAndRead(buffer.Span, cancellationToken), CancellationToken.None));
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            // Usually the driver takes it all at once: no thread hop.
            buffer = buffer[TryWrite(buffer.Span)..];
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return ValueTask.FromException(e);
        }

        return buffer.IsEmpty ? ValueTask.CompletedTask : new ValueTask(Task.Run(() => WaitAndWrite(buffer, cancellationToken), CancellationToken.None));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Wake every waiter first; each holds a reference, so the descriptors close when the last one lets go.
            closing.Signal();
            tty.Dispose();
            closing.Dispose();
        }

        base.Dispose(disposing);
    }

    private int WaitAndRead(Span<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            var empty = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = TryRead(buffer);
                if (read > 0)
                {
                    return read;
                }

                if (empty++ > MaxEmptyReadsAfterPoll)
                {
                    return 0;
                }

                Wait(LibC.PollIn, cancellationToken);
            }
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(cancellationToken);
        }
    }

    private void WaitAndWrite(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                Wait(LibC.PollOut, cancellationToken);
                buffer = buffer[TryWrite(buffer.Span)..];
            }
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(cancellationToken);
        }
    }

    // A caller that cancels and then closes the stream (the reconnecting stream's Dispose) sees its cancellation, as
    // with System.IO.Ports, even when the close overtook a wait that had not started yet.
    private static OperationCanceledException Cancelled(CancellationToken cancellationToken) => new(cancellationToken);

    /// <summary>One read(2): the bytes read, or 0 when it got none (EAGAIN, or 0: see the remarks).</summary>
    private int TryRead(Span<byte> buffer)
    {
        var added = false;
        try
        {
            tty.DangerousAddRef(ref added);
            var fd = (int)tty.DangerousGetHandle();
            while (true)
            {
                nint read;
                fixed (byte* bytes = buffer)
                {
                    read = LibC.Read(fd, bytes, (nuint)buffer.Length);
                }

                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EIntr)
                {
                    continue;
                }

                return errno == LibC.EAgain ? 0 : throw Failure("read", errno);
            }
        }
        finally
        {
            if (added)
            {
                tty.DangerousRelease();
            }
        }
    }

    /// <summary>write(2) until the driver takes no more: how many bytes it took (0 when its buffer is full).</summary>
    private int TryWrite(ReadOnlySpan<byte> buffer)
    {
        var added = false;
        try
        {
            tty.DangerousAddRef(ref added);
            var fd = (int)tty.DangerousGetHandle();
            var written = 0;
            while (written < buffer.Length)
            {
                nint count;
                fixed (byte* bytes = buffer[written..])
                {
                    count = LibC.Write(fd, bytes, (nuint)(buffer.Length - written));
                }

                if (count > 0)
                {
                    written += (int)count;
                    continue;
                }

                var errno = count == 0 ? LibC.EAgain : Marshal.GetLastPInvokeError();
                if (errno == LibC.EIntr)
                {
                    continue;
                }

                return errno == LibC.EAgain ? written : throw Failure("write", errno);
            }

            return written;
        }
        finally
        {
            if (added)
            {
                tty.DangerousRelease();
            }
        }
    }

    /// <summary>Blocks in poll(2) until the tty is ready for <paramref name="events"/>; throws when the token fires
    /// (<see cref="OperationCanceledException"/>), the stream is closed (<see cref="ObjectDisposedException"/>) or the
    /// device is gone (<see cref="IOException"/>).</summary>
    private void Wait(short events, CancellationToken cancellationToken)
    {
        using var cancel = cancellationToken.CanBeCanceled ? FileDescriptorHandle.CreateEvent() : null;
        var ttyAdded = false;
        var closingAdded = false;
        var cancelAdded = false;
        try
        {
            tty.DangerousAddRef(ref ttyAdded);
            closing.DangerousAddRef(ref closingAdded);
            cancel?.DangerousAddRef(ref cancelAdded);

            // Disposed before the eventfd is closed (the using above), and Dispose waits for a callback that runs.
            using var registration = cancel is null ? default : cancellationToken.UnsafeRegister(static e => ((FileDescriptorHandle)e!).Signal(), cancel);
            var fds = stackalloc LibC.PollFd[3];
            fds[0] = new LibC.PollFd { Fd = (int)tty.DangerousGetHandle(), Events = events };
            fds[1] = new LibC.PollFd { Fd = (int)closing.DangerousGetHandle(), Events = LibC.PollIn };
            fds[2] = new LibC.PollFd { Fd = cancel is null ? -1 : (int)cancel.DangerousGetHandle(), Events = LibC.PollIn };
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                if (LibC.Poll(fds, 3, -1) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EIntr)
                    {
                        continue;
                    }

                    throw Failure("poll", errno);
                }

                // The token first: see Cancelled.
                cancellationToken.ThrowIfCancellationRequested();
                ObjectDisposedException.ThrowIf(fds[1].Revents != 0 || (fds[0].Revents & LibC.PollNval) != 0, this);
                if ((fds[0].Revents & (LibC.PollHup | LibC.PollErr)) != 0)
                {
                    throw new IOException("The device hung up (unplugged, or the other end of the pseudo-terminal closed).");
                }

                if ((fds[0].Revents & events) != 0)
                {
                    return;
                }
            }
        }
        finally
        {
            if (cancelAdded)
            {
                cancel!.DangerousRelease();
            }

            if (closingAdded)
            {
                closing.DangerousRelease();
            }

            if (ttyAdded)
            {
                tty.DangerousRelease();
            }
        }
    }

    private static IOException Failure(string call, int errno) => errno == LibC.EIo
        ? new IOException($"The device failed a {call} with EIO (unplugged, or the other end of the pseudo-terminal closed).", errno)
        : new IOException($"{call} on the device failed: {LibC.Describe(errno)}.", errno);
}
