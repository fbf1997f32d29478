namespace Middleware.Serial.Transports;

/// <summary>One open connection: the stream reads and writes go through, and what closes the device handle or socket.</summary>
internal sealed class LinkConnection(Stream stream, Action close) : IDisposable
{
    private int _disposed;

    public Stream Stream { get; } = stream;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            close();
        }
    }
}
