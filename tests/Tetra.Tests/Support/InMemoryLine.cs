using System.Threading.Channels;

namespace Middleware.Tetra.Tests.Support;

/// <summary>An in-memory serial line: two ends, what one writes the other reads; reads honour their token.</summary>
internal sealed class InMemoryLine
{
    private readonly Channel<byte> _toTerminal = Channel.CreateUnbounded<byte>();
    private readonly Channel<byte> _toTill = Channel.CreateUnbounded<byte>();

    public InMemoryLine()
    {
        Till = new End(_toTill.Reader, _toTerminal.Writer);
        Terminal = new End(_toTerminal.Reader, _toTill.Writer);
    }

    /// <summary>The plugin's end.</summary>
    public End Till { get; }

    /// <summary>The terminal's end (the test plays the terminal).</summary>
    public End Terminal { get; }

    /// <summary>Ends the line: the till's pending and later reads see the end of the stream.</summary>
    public void Close() => _toTill.Writer.TryComplete();

    internal sealed class End(ChannelReader<byte> reader, ChannelWriter<byte> writer) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>Reads one byte within <paramref name="within"/>, or null.</summary>
        public async Task<byte?> ReadByteAsync(TimeSpan within)
        {
            using var timeout = new CancellationTokenSource(within);
            try
            {
                return await reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!await reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            var count = 0;
            while (count < buffer.Length && reader.TryRead(out var b))
            {
                buffer.Span[count++] = b;
            }

            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var b in buffer.Span)
            {
                writer.TryWrite(b);
            }

            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    }
}
