using System.Text;

namespace Middleware.Benchmarks.Terminals;

/// <summary>
/// The floor of the tetra-read benchmark: one DemandeZDC exchange as bare bytes on the till's side of the pty, the same
/// bytes the plugin's Concert link writes, in the same order (<c>cards.md</c> §7): ENQ, wait ACK, request frame, wait
/// ACK, EOT; wait ENQ, ACK, read the answer frame, ACK, wait EOT. No codec, no timers, no retries: a read loop only.
/// The answer is compared byte for byte with the one expected (made from what the plugin read), so a floor that went
/// wrong cannot look fast.
/// </summary>
internal sealed class RawConcertExchange
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const byte Eot = 0x04;
    private const byte Enq = 0x05;
    private const byte Ack = 0x06;

    private static readonly byte[] EnqByte = [Enq];
    private static readonly byte[] AckByte = [Ack];
    private static readonly byte[] EotByte = [Eot];

    private readonly byte[] _request;
    private readonly byte[] _answer;
    private readonly byte[] _buffer = new byte[256];
    private readonly byte[] _frame;

    /// <param name="requestMessage">The request message exactly as the plugin sent it (e.g. <c>ZDC?01030</c>).</param>
    /// <param name="answerMessage">The answer message the terminal gives (e.g. <c>ZDC=0...</c>).</param>
    public RawConcertExchange(string requestMessage, string answerMessage)
    {
        _request = Frame(requestMessage);
        _answer = Frame(answerMessage);
        _frame = new byte[_answer.Length];
    }

    /// <summary>One exchange with blocking reads and writes on the pty opened as a plain file (read(2)/write(2), no
    /// poll loop). Throws when the terminal answers anything else than expected.</summary>
    public void RoundTrip(Stream pty)
    {
        pty.Write(EnqByte);
        WaitFor(pty, Ack);
        pty.Write(_request);
        WaitFor(pty, Ack);
        pty.Write(EotByte);
        WaitFor(pty, Enq);
        pty.Write(AckByte);
        ReadAnswer(pty);
        pty.Write(AckByte);
        WaitFor(pty, Eot);
    }

    /// <summary>The same exchange with async reads and writes, for a stream that is not a plain file (the host's
    /// serial link service); <paramref name="cancellationToken"/> only bounds a stuck run.</summary>
    public async Task RoundTripAsync(Stream link, CancellationToken cancellationToken)
    {
        await link.WriteAsync(EnqByte, cancellationToken).ConfigureAwait(false);
        await WaitForAsync(link, Ack, cancellationToken).ConfigureAwait(false);
        await link.WriteAsync(_request, cancellationToken).ConfigureAwait(false);
        await WaitForAsync(link, Ack, cancellationToken).ConfigureAwait(false);
        await link.WriteAsync(EotByte, cancellationToken).ConfigureAwait(false);
        await WaitForAsync(link, Enq, cancellationToken).ConfigureAwait(false);
        await link.WriteAsync(AckByte, cancellationToken).ConfigureAwait(false);
        var got = 0;
        while (got < _frame.Length)
        {
            got += Checked(await link.ReadAsync(_frame.AsMemory(got), cancellationToken).ConfigureAwait(false));
        }

        CheckAnswer();
        await link.WriteAsync(AckByte, cancellationToken).ConfigureAwait(false);
        await WaitForAsync(link, Eot, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>STX message ETX LRC</c>, the LRC being the XOR of every byte after STX up to and including ETX.</summary>
    internal static byte[] Frame(string message)
    {
        var frame = new byte[message.Length + 3];
        frame[0] = Stx;
        Encoding.ASCII.GetBytes(message, frame.AsSpan(1));
        frame[^2] = Etx;
        byte lrc = 0;
        foreach (var b in frame.AsSpan(1, message.Length + 1))
        {
            lrc ^= b;
        }

        frame[^1] = lrc;
        return frame;
    }

    private void WaitFor(Stream pty, byte wanted)
    {
        // One byte at a time: the terminal sends nothing past the byte awaited until the till answers it.
        while (Checked(pty.Read(_buffer, 0, 1)) != 1 || _buffer[0] != wanted)
        {
        }
    }

    private async Task WaitForAsync(Stream link, byte wanted, CancellationToken cancellationToken)
    {
        while (Checked(await link.ReadAsync(_buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false)) != 1 || _buffer[0] != wanted)
        {
        }
    }

    private void ReadAnswer(Stream pty)
    {
        var got = 0;
        while (got < _frame.Length)
        {
            got += Checked(pty.Read(_frame, got, _frame.Length - got));
        }

        CheckAnswer();
    }

    private void CheckAnswer()
    {
        if (!_frame.AsSpan().SequenceEqual(_answer))
        {
            throw new InvalidOperationException("The raw loop's answer frame differs from the expected one byte for byte.");
        }
    }

    private static int Checked(int read) => read > 0 ? read : throw new IOException("The pty ended during a raw exchange.");
}
