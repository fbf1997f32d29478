using System.Text;

namespace Middleware.Plugins.Tetra.Link;

/// <summary>The bytes of the Concert serial protocol (<c>cards.md</c> §7) and its frame <c>STX message ETX LRC</c>.</summary>
internal static class ConcertFrame
{
    public const byte Stx = 0x02;
    public const byte Etx = 0x03;
    public const byte Eot = 0x04;
    public const byte Enq = 0x05;
    public const byte Ack = 0x06;
    public const byte Nak = 0x15;

    /// <summary>The frame of <paramref name="message"/>: printable ASCII only, so no byte of it is a control byte.</summary>
    public static byte[] Build(string message, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length == 0 || message.Length > maxLength)
        {
            throw new ArgumentException($"A Concert message has 1 to {maxLength} characters, not {message.Length}.", nameof(message));
        }

        if (!IsPrintableAscii(message))
        {
            throw new ArgumentException("A Concert message is printable ASCII only.", nameof(message));
        }

        var frame = new byte[message.Length + 3];
        frame[0] = Stx;
        Encoding.ASCII.GetBytes(message, frame.AsSpan(1));
        frame[^2] = Etx;
        frame[^1] = Lrc(frame.AsSpan(1, message.Length + 1));
        return frame;
    }

    /// <summary>XOR of every byte after STX up to and including ETX.</summary>
    public static byte Lrc(ReadOnlySpan<byte> messageAndEtx)
    {
        byte lrc = 0;
        foreach (var b in messageAndEtx)
        {
            lrc ^= b;
        }

        return lrc;
    }

    public static bool IsPrintable(byte b) => b is >= 0x20 and <= 0x7E;

    private static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
