using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Middleware.Serial.Tests.Support;

/// <summary>A provider with short delays for tests, and bounded-time helpers.</summary>
internal static class TestLinks
{
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
