namespace Middleware.Tetra.Tests.Support;

/// <summary>
/// One DemandeZDC exchange as bare bytes, the ones the plugin's Concert link writes, in the same order (ENQ, wait ACK,
/// request frame, wait ACK, EOT; wait ENQ, ACK, the answer frame, ACK, wait EOT): no codec, no timers, no retries. The
/// answer is checked byte for byte, so a loop that went wrong cannot look fast. (The minimal loop of the tetra-read
/// benchmark, tests/Benchmarks/Terminals/RawConcertExchange.cs, copied: the tests do not reference the benchmarks.)
/// </summary>
internal sealed class RawConcertLoop(string requestMessage, string answerMessage)
{
    private static readonly byte[] EnqByte = [ScriptedTerminal.Enq];
    private static readonly byte[] AckByte = [ScriptedTerminal.Ack];
    private static readonly byte[] EotByte = [ScriptedTerminal.Eot];

    private readonly byte[] _request = ScriptedTerminal.Frame(requestMessage);
    private readonly byte[] _answer = ScriptedTerminal.Frame(answerMessage);
    private readonly byte[] _buffer = new byte[1];
    private readonly byte[] _frame = new byte[answerMessage.Length + 3];

    public async Task RoundTripAsync(Stream link, CancellationToken cancellationToken)
    {
        await link.WriteAsync(EnqByte, cancellationToken);
        await WaitForAsync(link, ScriptedTerminal.Ack, cancellationToken);
        await link.WriteAsync(_request, cancellationToken);
        await WaitForAsync(link, ScriptedTerminal.Ack, cancellationToken);
        await link.WriteAsync(EotByte, cancellationToken);
        await WaitForAsync(link, ScriptedTerminal.Enq, cancellationToken);
        await link.WriteAsync(AckByte, cancellationToken);
        var got = 0;
        while (got < _frame.Length)
        {
            got += Checked(await link.ReadAsync(_frame.AsMemory(got), cancellationToken));
        }

        if (!_frame.AsSpan().SequenceEqual(_answer))
        {
            throw new InvalidOperationException("The raw loop's answer frame differs from the expected one byte for byte.");
        }

        await link.WriteAsync(AckByte, cancellationToken);
        await WaitForAsync(link, ScriptedTerminal.Eot, cancellationToken);
    }

    // One byte at a time: the terminal sends nothing past the byte awaited until the till answers it.
    private async Task WaitForAsync(Stream link, byte wanted, CancellationToken cancellationToken)
    {
        while (Checked(await link.ReadAsync(_buffer, cancellationToken)) != 1 || _buffer[0] != wanted)
        {
        }
    }

    private static int Checked(int read) => read > 0 ? read : throw new IOException("The link ended during a raw exchange.");
}
