using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Middleware.Serial.Transports;

namespace Middleware.Serial;

/// <summary>
/// The stream a plugin gets: survives the device going away and coming back on the same path. The read or write in
/// flight when the link is lost fails with <see cref="IOException"/> (that exchange is lost); later reads and writes
/// wait, bounded by their token, until a background loop has reopened the same path with the same settings (one try
/// every reconnect delay). Nothing is buffered here: a read asks the connection for at most MaxReadChunk bytes.
/// </summary>
internal sealed partial class ReconnectingLinkStream : Stream
{
    private readonly ILinkTransport _transport;
    private readonly SerialLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private LinkConnection? _current;
    private TaskCompletionSource _back = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reconnect = Task.CompletedTask;
    private int _disposed;
    private int _readTimeout = Timeout.Infinite;
    private int _writeTimeout;

    public ReconnectingLinkStream(ILinkTransport transport, LinkConnection first, SerialLinkOptions options, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        _options = options;
        _time = time;
        _logger = logger;
        _current = first;
        _writeTimeout = (int)options.WriteTimeout.TotalMilliseconds;
    }

    /// <summary>Whether a connection is open now (false while the link is lost and being reopened).</summary>
    internal bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _current is not null;
            }
        }
    }

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;

    public override bool CanSeek => false;

    public override bool CanTimeout => true;

    /// <summary>Bounds the synchronous <see cref="Read(byte[], int, int)"/> only (async reads take a token); infinite by default as for other streams.</summary>
    public override int ReadTimeout
    {
        get => _readTimeout;
        set => _readTimeout = CheckTimeout(value);
    }

    /// <summary>Bounds the synchronous <see cref="Write(byte[], int, int)"/>; every write is also bounded by the WriteTimeout option.</summary>
    public override int WriteTimeout
    {
        get => _writeTimeout;
        set => _writeTimeout = CheckTimeout(value);
    }

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
        // Writes are handed to the port when they complete: there is nothing buffered here to flush.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[Math.Min(buffer.Length, _options.MaxReadChunk)];
        var read = RunSync(ct => ReadAsync(rented, ct).AsTask(), _readTimeout, "read");
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var copy = buffer.ToArray();
        RunSync(async ct =>
        {
            await WriteAsync(copy, ct).ConfigureAwait(false);
            return 0;
        }, _writeTimeout, "write");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        using var linked = Link(cancellationToken);
        var connection = await WaitConnectedAsync(linked.Token).ConfigureAwait(false);
        int read;
        try
        {
            read = await connection.Stream.ReadAsync(buffer[..Math.Min(buffer.Length, _options.MaxReadChunk)], linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            throw;
        }
        catch (Exception e) when (IsLinkFailure(e))
        {
            throw Lost(connection, "read", e);
        }

        // A serial port never ends; an end of stream is a TCP bridge that closed the connection.
        return read > 0 ? read : throw Lost(connection, "read", null);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        using var linked = Link(cancellationToken);
        var connection = await WaitConnectedAsync(linked.Token).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.WriteTimeout, _time);
        using var write = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, timeout.Token);
        try
        {
            await connection.Stream.WriteAsync(buffer, write.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            throw;
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
        {
            // A write the line does not take in time: the device is wedged or gone; start over on a fresh connection.
            throw Lost(connection, "write", new TimeoutException($"The write took longer than {_options.WriteTimeout}.", e));
        }
        catch (Exception e) when (IsLinkFailure(e))
        {
            throw Lost(connection, "write", e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LinkConnection? current;
            lock (_gate)
            {
                current = _current;
                _current = null;
            }

            // Wakes waiting reads and writes (they throw ObjectDisposedException) and stops the reconnect loop.
            _disposing.Cancel();
            current?.Dispose();
            LogClosed(_logger, _transport.Name);
        }

        base.Dispose(disposing);
    }

    private static bool IsLinkFailure(Exception e) =>
        e is IOException or ObjectDisposedException or SocketException or InvalidOperationException or UnauthorizedAccessException;

    private static int CheckTimeout(int value) =>
        value is > 0 or Timeout.Infinite ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout is positive milliseconds or Timeout.Infinite.");

    private CancellationTokenSource Link(CancellationToken cancellationToken)
    {
        try
        {
            return CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(GetType().FullName);
        }
    }

    private T RunSync<T>(Func<CancellationToken, Task<T>> operation, int timeoutMs, string what)
    {
        using var timeout = timeoutMs == Timeout.Infinite ? null : new CancellationTokenSource(TimeSpan.FromMilliseconds(timeoutMs), _time);
        try
        {
            return operation(timeout?.Token ?? CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (timeout?.IsCancellationRequested == true)
        {
            throw new IOException($"The {what} on {_transport.Name} took longer than {timeoutMs} ms.", new TimeoutException(e.Message, e));
        }
    }

    private async Task<LinkConnection> WaitConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task back;
            lock (_gate)
            {
                if (_current is { } connection)
                {
                    return connection;
                }

                back = _back.Task;
            }

            try
            {
                await back.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                throw;
            }
        }
    }

    /// <summary>Marks <paramref name="connection"/> lost (once) and starts reopening; returns what the caller throws.</summary>
    private IOException Lost(LinkConnection connection, string operation, Exception? cause)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return new IOException($"The link {_transport.Name} was closed.", new ObjectDisposedException(GetType().FullName));
        }

        lock (_gate)
        {
            if (ReferenceEquals(_current, connection))
            {
                _current = null;
                _back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                LogLost(_logger, _transport.Name, operation, cause?.GetType().Name ?? "end of stream", _options.ReconnectDelay);

                // On a thread of its own: the failed request may complete on the port's I/O thread, whose Dispose waits for it.
                _reconnect = Task.Run(() => ReconnectAsync(connection, _disposing.Token), CancellationToken.None);
            }
        }

        return new IOException(
            $"The link {_transport.Name} was lost during a {operation}; that exchange is lost. Later reads and writes wait until it is back.",
            cause);
    }

    private async Task ReconnectAsync(LinkConnection lost, CancellationToken cancellationToken)
    {
        try
        {
            lost.Dispose();
        }
        catch (Exception e)
        {
            LogCloseFailed(_logger, _transport.Name, e.GetType().Name);
        }

        var attempts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ReconnectDelay, _time, cancellationToken).ConfigureAwait(false);
                attempts++;
                var connection = await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                TaskCompletionSource back;
                lock (_gate)
                {
                    if (Volatile.Read(ref _disposed) != 0)
                    {
                        connection.Dispose();
                        return;
                    }

                    _current = connection;
                    back = _back;
                }

                LogBack(_logger, _transport.Name, attempts);
                back.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Expected while the device is away (missing path, refused connection): only the loss and the return are logged higher.
                LogAttemptFailed(_logger, _transport.Name, attempts, e.GetType().Name, e.Message);
            }
        }
    }

    /// <summary>For tests: the reconnect loop, if one runs.</summary>
    internal Task ReconnectTask
    {
        get
        {
            lock (_gate)
            {
                return _reconnect;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serial link {Link} lost during a {Operation} ({Cause}); reopening it every {Delay}")]
    private static partial void LogLost(ILogger logger, string link, string operation, string cause, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serial link {Link} is back after {Attempts} attempts")]
    private static partial void LogBack(ILogger logger, string link, int attempts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Serial link {Link}: reopen attempt {Attempt} failed ({Error}: {Detail})")]
    private static partial void LogAttemptFailed(ILogger logger, string link, int attempt, string error, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Serial link {Link}: closing the lost connection failed ({Error})")]
    private static partial void LogCloseFailed(ILogger logger, string link, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serial link {Link} closed")]
    private static partial void LogClosed(ILogger logger, string link);
}
