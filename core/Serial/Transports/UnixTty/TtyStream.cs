using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>
/// Reads and writes on a tty opened non-blocking, without System.IO.Ports' 1 ms port loop: a read or write first
/// tries the system call on the caller's thread and completes at once when it can; otherwise it waits in the tty's
/// <see cref="TtyIoLoop"/>, which wakes as soon as the byte arrives, the token fires or the stream is closed.
/// </summary>
/// <remarks>
/// An empty non-blocking read is EAGAIN with VMIN 1 (what TtyLine sets) but 0 with VMIN 0 (if something else set
/// it), and a hung-up tty's read is 0 too: so neither EAGAIN nor 0 ends a read by itself; poll tells. POLLHUP,
/// POLLERR and EIO (a pty whose other end closed, an unplugged USB device) fail the call with
/// <see cref="IOException"/>, as with System.IO.Ports, so the reconnecting stream reopens the path; a device that
/// keeps polling readable with nothing to read is at its end (the read returns 0).
/// </remarks>
internal sealed unsafe class TtyStream : Stream
{
    private readonly FileDescriptorHandle _tty;
    private readonly TtyIoLoop _loop;
    private int _disposed;

    public TtyStream(FileDescriptorHandle tty)
    {
        _tty = tty;
        _loop = new TtyIoLoop(tty);
    }

    /// <summary>The tty's descriptor (for tests that read its settings back).</summary>
    internal FileDescriptorHandle Device => _tty;

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

    // The synchronous calls wait on the loop's own thread, never on the thread pool: blocking on them is safe.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

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
            // Bytes already there are taken at once, unless earlier reads wait (they come first).
            if (!_loop.ReadsWaiting && WithDescriptor(buffer.Span, static (fd, span) => TryRead(fd, span)) is > 0 and var read)
            {
                return ValueTask.FromResult(read);
            }

            return new ValueTask<int>(_loop.Submit(new TtyRequest(buffer, cancellationToken), write: false));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return ValueTask.FromException<int>(e);
        }
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

        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            // Usually the driver takes it all at once: no wait, no thread hop (unless earlier writes wait).
            var written = _loop.WritesWaiting ? 0 : WithDescriptor(buffer.Span, static (fd, span) => TryWrite(fd, span));
            return written == buffer.Length
                ? ValueTask.CompletedTask
                : new ValueTask(_loop.Submit(new TtyRequest(buffer, written, cancellationToken), write: true));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return ValueTask.FromException(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The loop's thread holds its own references: the descriptor closes when it has let go.
            _loop.Dispose();
            _tty.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>One read(2): the bytes read, or 0 when it got none (EAGAIN, or 0: see the remarks).</summary>
    internal static int TryRead(int fd, Span<byte> buffer)
    {
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
            if (errno != LibC.EIntr)
            {
                return errno == LibC.EAgain ? 0 : throw Failure("read", errno);
            }
        }
    }

    /// <summary>write(2) until the driver takes no more: how many bytes it took (0 when its buffer is full).</summary>
    internal static int TryWrite(int fd, ReadOnlySpan<byte> buffer)
    {
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
            if (errno != LibC.EIntr)
            {
                return errno == LibC.EAgain ? written : throw Failure("write", errno);
            }
        }

        return written;
    }

    internal static IOException Failure(string call, int errno) => errno == LibC.EIo
        ? new IOException($"The device failed a {call} with EIO (unplugged, or the other end of the pseudo-terminal closed).", errno)
        : new IOException($"{call} on the device failed: {LibC.Describe(errno)}.", errno);

    private delegate int SpanCall<T>(int fd, T span)
        where T : allows ref struct;

    /// <summary>Runs <paramref name="call"/> with the descriptor held open (a concurrent Dispose closes it after).</summary>
    private int WithDescriptor<T>(T span, SpanCall<T> call)
        where T : allows ref struct
    {
        var added = false;
        try
        {
            _tty.DangerousAddRef(ref added);
            return call((int)_tty.DangerousGetHandle(), span);
        }
        finally
        {
            if (added)
            {
                _tty.DangerousRelease();
            }
        }
    }
}
