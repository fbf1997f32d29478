using System.Globalization;
using System.Text;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Tetra.Link;

/// <summary>
/// One Concert exchange on the terminal's link (<c>cards.md</c> §7): the request goes out (ENQ/ACK, frame/ACK, EOT),
/// then the answer comes back the same way. Knows nothing of the messages: the codecs do. Every wait is bounded (a step,
/// or the request's own answer time), every reply the terminal sends is checked; a failure is a
/// <see cref="TerminalException"/> and ends with EOT so that the next exchange starts afresh with ENQ.
/// </summary>
internal sealed class ConcertLink(Stream stream, ConcertLinkOptions options, TimeProvider time)
{
    private readonly byte[] _buffer = new byte[256];
    private int _next;
    private int _end;

    // The host gives a plugin that was cancelled 2 s (PluginHost:CancelGrace) to return.
    private static readonly TimeSpan EndBudget = TimeSpan.FromMilliseconds(250);

    // A terminal sends a frame's bytes back to back: a line quiet this long carries nothing more of an old answer.
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(30);

    private int Attempts => options.Retries + 1;

    /// <summary>Whether the request frame went out: until then (the terminal has not acknowledged ENQ), starting the
    /// exchange over cannot make the terminal act twice.</summary>
    public bool RequestSent { get; private set; }

    private bool WroteAnything { get; set; }

    /// <summary>Sends <paramref name="request"/> and returns the answer's message, waiting up to
    /// <paramref name="answerWait"/> for the terminal to start answering.</summary>
    /// <exception cref="TerminalException">The terminal was silent, refused the request or answered garbage.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the terminal was sent EOT.</exception>
    /// <exception cref="IOException">The link itself failed (unplugged; <see cref="LinkStalledException"/> when it
    /// took no bytes in time): the caller drops it.</exception>
    public async Task<string> ExchangeAsync(string request, TimeSpan answerWait, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await ReceiveAsync(answerWait, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TryEndAsync().ConfigureAwait(false);
            throw;
        }
        catch (TerminalException)
        {
            await TryEndAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task SendAsync(string request, CancellationToken cancellationToken)
    {
        var frame = ConcertFrame.Build(request, options.MaxMessageLength);
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            RequestSent = true;
            await WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            var reply = await WaitForAsync(b => b is ConcertFrame.Ack or ConcertFrame.Nak, options.StepTimeout, cancellationToken).ConfigureAwait(false);
            if (reply == ConcertFrame.Ack)
            {
                break;
            }

            if (attempt == Attempts)
            {
                throw new TerminalException(reply is null
                    ? $"The terminal did not acknowledge the request frame ({Attempts} attempts, {Seconds(options.StepTimeout)} each)."
                    : $"The terminal refused the request frame (NAK) {Attempts} times.");
            }
        }

        await WriteAsync([ConcertFrame.Eot], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Discards what the terminal sent after an earlier exchange ended (a late answer to a request that was
    /// cancelled or timed out): read until the line has been quiet for <see cref="QuietWindow"/>, at most one step. The
    /// DemandeZDC answer names no request, so an old one left on the line would be taken for this one's: another
    /// customer's card.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        using var step = new CancellationTokenSource(options.StepTimeout, time);
        while (!step.IsCancellationRequested)
        {
            using var quiet = new CancellationTokenSource(QuietWindow, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token, step.Token);
            try
            {
                if (await stream.ReadAsync(_buffer, linked.Token).ConfigureAwait(false) == 0)
                {
                    throw new IOException("The terminal's link ended.");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return; // Quiet (or still noisy after a whole step: the exchange goes on and meets it).
            }
        }
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            await WriteAsync([ConcertFrame.Enq], cancellationToken).ConfigureAwait(false);
            var reply = await WaitForAsync(b => b is ConcertFrame.Ack or ConcertFrame.Nak, options.StepTimeout, cancellationToken).ConfigureAwait(false);
            if (reply == ConcertFrame.Ack)
            {
                return;
            }
        }

        throw new TerminalException($"The terminal did not answer ENQ with ACK ({Attempts} attempts, {Seconds(options.StepTimeout)} each): is it on and in the Izly application?");
    }

    private async Task<string> ReceiveAsync(TimeSpan answerWait, CancellationToken cancellationToken)
    {
        if (await WaitForAsync(b => b == ConcertFrame.Enq, answerWait, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new TerminalException($"The terminal sent no answer within {Seconds(answerWait)}.");
        }

        await WriteAsync([ConcertFrame.Ack], cancellationToken).ConfigureAwait(false);
        var problem = "";
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            if (attempt > 1)
            {
                await WriteAsync([ConcertFrame.Nak], cancellationToken).ConfigureAwait(false);
            }

            var (message, why) = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                await WriteAsync([ConcertFrame.Ack], cancellationToken).ConfigureAwait(false);

                // The answer is whole and acknowledged: a missing EOT costs one step, not the answer.
                await WaitForAsync(b => b == ConcertFrame.Eot, options.StepTimeout, cancellationToken).ConfigureAwait(false);
                return message;
            }

            problem = why;
        }

        throw new TerminalException($"The terminal's answer frame was unreadable {Attempts} times (last: {problem}).");
    }

    /// <summary>One frame within one step: the message, or why there is none (then the caller NAKs).</summary>
    private async Task<(string? Message, string Problem)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        using var step = new CancellationTokenSource(options.StepTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, step.Token);
        var message = new byte[options.MaxMessageLength];
        try
        {
            byte b;
            while ((b = await ReadByteAsync(linked.Token).ConfigureAwait(false)) != ConcertFrame.Stx)
            {
                if (b == ConcertFrame.Enq)
                {
                    // The terminal did not hear our ACK and asks again.
                    await WriteAsync([ConcertFrame.Ack], linked.Token).ConfigureAwait(false);
                }
            }

            var length = 0;
            while ((b = await ReadByteAsync(linked.Token).ConfigureAwait(false)) != ConcertFrame.Etx)
            {
                if (b == ConcertFrame.Stx)
                {
                    length = 0;
                    continue;
                }

                if (!ConcertFrame.IsPrintable(b))
                {
                    return (null, $"control byte 0x{b:X2} inside the frame");
                }

                if (length == message.Length)
                {
                    return (null, $"a frame longer than {message.Length} characters");
                }

                message[length++] = b;
            }

            var lrc = await ReadByteAsync(linked.Token).ConfigureAwait(false);
            var expected = (byte)(ConcertFrame.Lrc(message.AsSpan(0, length)) ^ ConcertFrame.Etx);
            if (lrc != expected)
            {
                return (null, $"LRC 0x{lrc:X2} where 0x{expected:X2} was due");
            }

            return length == 0 ? (null, "an empty frame") : (Encoding.ASCII.GetString(message, 0, length), "");
        }
        catch (OperationCanceledException) when (step.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"no whole frame within {Seconds(options.StepTimeout)}");
        }
    }

    /// <summary>Reads until a byte <paramref name="wanted"/> accepts (others are line noise or stale bytes and are
    /// skipped); null when <paramref name="within"/> passes first.</summary>
    private async Task<byte?> WaitForAsync(Func<byte, bool> wanted, TimeSpan within, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(within, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            while (true)
            {
                var b = await ReadByteAsync(linked.Token).ConfigureAwait(false);
                if (wanted(b))
                {
                    return b;
                }
            }
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        if (_next == _end)
        {
            var read = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The terminal's link ended.");
            }

            _next = 0;
            _end = read;
        }

        return _buffer[_next++];
    }

    /// <summary>A write bounded by one step, the first one by every attempt's steps: the host's link holds writes
    /// while it reopens a lost device, and that wait must end too.</summary>
    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var budget = WroteAnything ? options.StepTimeout : options.StepTimeout * Attempts;
        using var timer = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await stream.WriteAsync(bytes, linked.Token).ConfigureAwait(false);
            await stream.FlushAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LinkStalledException($"The link took no bytes within {Seconds(budget)}: the terminal is unplugged or the line is stuck.", e);
        }

        WroteAnything = true;
    }

    /// <summary>EOT, best effort and bounded by <see cref="EndBudget"/>: the exchange is over for us, whatever the
    /// terminal was doing, and the caller (a cancel, a timeout) must not wait past the host's cancel grace for a link
    /// that is away.</summary>
    private async Task TryEndAsync()
    {
        using var step = new CancellationTokenSource(EndBudget < options.StepTimeout ? EndBudget : options.StepTimeout, time);
        try
        {
            await WriteAsync([ConcertFrame.Eot], step.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The link is gone or wedged: the next exchange finds out and reopens it.
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
