using System.Text;

namespace Middleware.Tetra.Tests.Support;

/// <summary>The terminal's end of an <see cref="InMemoryLine"/>, played byte by byte by a test.</summary>
internal sealed class ScriptedTerminal(InMemoryLine.End terminal)
{
    public const byte Stx = 0x02;
    public const byte Etx = 0x03;
    public const byte Eot = 0x04;
    public const byte Enq = 0x05;
    public const byte Ack = 0x06;
    public const byte Nak = 0x15;

    /// <summary>How long a byte the link must send may take: long, so that a loaded machine does not fail a test.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public void Send(params byte[] bytes) => terminal.Write(bytes);

    public async Task ExpectAsync(params byte[] expected)
    {
        var received = new List<byte>();
        foreach (var _ in expected)
        {
            var b = await terminal.ReadByteAsync(Wait);
            Assert.True(b.HasValue, $"the link sent {received.Count} of {expected.Length} bytes expected ({Convert.ToHexString(expected)}), then nothing");
            received.Add(b.Value);
        }

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString([.. received]));
    }

    /// <summary>Reads a whole frame (STX … ETX LRC) and returns its message.</summary>
    public async Task<string> ExpectFrameAsync()
    {
        var frame = new List<byte>();
        while (frame.Count < 2 || frame[^2] != Etx)
        {
            var b = await terminal.ReadByteAsync(Wait);
            Assert.True(b.HasValue, $"the frame stopped after {frame.Count} bytes");
            frame.Add(b.Value);
        }

        Assert.Equal(Stx, frame[0]);
        return Encoding.ASCII.GetString([.. frame[1..^2]]);
    }

    /// <summary>Asserts the link sends nothing within <paramref name="within"/>: it waits for the terminal.</summary>
    public async Task ExpectSilenceAsync(TimeSpan within)
    {
        var b = await terminal.ReadByteAsync(within);
        Assert.True(b is null, $"the link sent 0x{b:X2} where it had to wait for the terminal");
    }

    /// <summary>Takes the request as a terminal does: ACK to ENQ, ACK to the frame, then the link's EOT.</summary>
    public async Task<string> AcceptRequestAsync()
    {
        await ExpectAsync(Enq);
        Send(Ack);
        var request = await ExpectFrameAsync();
        Send(Ack);
        await ExpectAsync(Eot);
        return request;
    }

    /// <summary>The answer as a terminal sends it, ended cleanly: ENQ, frame, EOT, each after the link's ACK.</summary>
    public async Task AnswerAsync(string answer)
    {
        Send(Enq);
        await ExpectAsync(Ack);
        Send(Frame(answer));
        await ExpectAsync(Ack);
        Send(Eot);
    }

    /// <summary>Every byte the link sent until it has been quiet for <paramref name="quiet"/>.</summary>
    public async Task<List<byte>> RestAsync(TimeSpan quiet)
    {
        var rest = new List<byte>();
        while (await terminal.ReadByteAsync(quiet) is { } b)
        {
            rest.Add(b);
        }

        return rest;
    }

    public static byte[] Frame(string message)
    {
        var bytes = Encoding.ASCII.GetBytes(message);
        byte lrc = Etx;
        foreach (var b in bytes)
        {
            lrc ^= b;
        }

        return [Stx, .. bytes, Etx, lrc];
    }
}
