using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Middleware.Serial.Tests.Support;

/// <summary>A provider with short delays for tests, and bounded-time helpers.</summary>
internal static class TestLinks
{
    static TestLinks()
    {
        // The simulated terminal's end is a plain FileStream on a pty: its ReadAsync blocks a pool thread in read(2).
        // With the pool's minimum of one thread per core (2 here) a few of those stall every continuation until the
        // pool injects a thread (about 0.5 s), which the latency tests would then measure as the link's.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
    }

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static SerialLinkOptions Options() => new()
    {
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        OpenTimeout = TimeSpan.FromSeconds(5),
        WriteTimeout = TimeSpan.FromSeconds(5),
        MaxReadChunk = 4096,
    };

    public static SerialLinkProvider Provider(SerialLinkOptions? options = null) =>
        new(options ?? Options(), TimeProvider.System, NullLoggerFactory.Instance);

    public static CancellationToken Token() => new CancellationTokenSource(Deadline).Token;

    /// <summary>Reads exactly <paramref name="count"/> bytes within the deadline (a blocked pty read is abandoned, not waited for).</summary>
    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, Token()).AsTask().WaitAsync(Deadline);
        return buffer;
    }

    /// <summary>Bytes 0..255 repeated, so 0x00 and 0xFF and everything between cross the line.</summary>
    public static byte[] Binary(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 7 % 256);
        }

        data[0] = 0x00;
        data[1] = 0xFF;
        return data;
    }
}
