using System.IO.Pipelines;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Testing.Fakes;

/// <summary>
/// An in-memory serial line for terminal plugins (the host's <see cref="ISerialLinkProvider"/> service): each port has
/// two ends; the plugin opens one with <see cref="OpenAsync"/>, the test plays the terminal on the other
/// (<see cref="TerminalEnd"/>). Bytes written at one end are read at the other; reads honour their token.
/// </summary>
public sealed class FakeSerialLinkProvider : ISerialLinkProvider
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (Pipe ToPlugin, Pipe ToTerminal)> _ports = new(StringComparer.Ordinal);

    /// <summary>The settings of the last open, per port.</summary>
    public Dictionary<string, SerialLinkSettings> OpenedWith { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a port named <paramref name="path"/> (e.g. <c>/dev/ttyACM0</c>).</summary>
    public void AddPort(string path)
    {
        lock (_gate)
        {
            _ports[path] = (new Pipe(), new Pipe());
        }
    }

    /// <summary>The terminal's end of the port: what the plugin writes is read here, and what is written here the plugin reads.</summary>
    public Stream TerminalEnd(string path)
    {
        lock (_gate)
        {
            var (toPlugin, toTerminal) = _ports[path];
            return new DuplexStream(toTerminal.Reader, toPlugin.Writer);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListPorts()
    {
        lock (_gate)
        {
            return [.. _ports.Keys];
        }
    }

    /// <inheritdoc />
    public Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_ports.TryGetValue(path, out var port))
            {
                throw new IOException($"No serial port '{path}'.");
            }

            OpenedWith[path] = settings;
            return Task.FromResult<Stream>(new DuplexStream(port.ToPlugin.Reader, port.ToTerminal.Writer));
        }
    }

    /// <summary>One end of the line: reads from one pipe, writes to the other.</summary>
    private sealed class DuplexStream(PipeReader reader, PipeWriter writer) : Stream
    {
        private readonly Stream _in = reader.AsStream();
        private readonly Stream _out = writer.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => _out.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _in.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _in.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _out.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _out.WriteAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Closing one end ends the other's reads, as a port closing.
                reader.Complete();
                writer.Complete();
            }

            base.Dispose(disposing);
        }
    }
}
