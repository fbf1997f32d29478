using System.Globalization;
using System.Text;
using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Tetra.Link;

/// <summary>
/// One Concert exchange on the terminal's link (<c>cards.md</c> §7): the request goes out (ENQ/ACK, frame/ACK, EOT),
/// then the answer comes back the same way. Knows nothing of the messages: the codecs do. Every wait is bounded by its
/// step (or the request's own answer time) and by the exchange's one <see cref="ExchangeDeadline"/>; every reply the
/// terminal sends is checked; a failure is a <see cref="TerminalException"/> and ends with EOT so that the next exchange
/// starts afresh with ENQ. Once the request frame has gone out it is sent again only after a NAK or silence, never after
/// a sign that the terminal took it: a card payment must never be asked twice. The line's <see cref="ConcertLineState"/>
/// says whether the exchange must first drain what an earlier one left on the line.
/// </summary>
internal sealed class ConcertLink(Stream stream, ConcertLinkOptions options, TimeProvider time, ConcertLineState line)
{
    /// <summary>The best-effort EOT's budget, and a write's least one near the deadline: the host gives a plugin that was
    /// cancelled 2 s (PluginHost:CancelGrace) to return.</summary>
    internal static readonly TimeSpan EndBudget = TimeSpan.FromMilliseconds(250);

    private readonly byte[] _buffer = new byte[256];
    private int _next;
    private int _end;

    // A terminal sends a frame's bytes back to back: a line quiet this long carries nothing more of an old answer.
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(30);

    /// <summary>A link on a line of unknown history (always drains first).</summary>
    public ConcertLink(Stream stream, ConcertLinkOptions options, TimeProvider time)
        : this(stream, options, time, new ConcertLineState())
    {
    }

    private int Attempts => options.Retries + 1;

    /// <summary>Whether the request frame went out (or began to): until then (the terminal has not acknowledged ENQ),
    /// starting the exchange over cannot make the terminal act twice; from then on the outcome of a failure is unknown.</summary>
    public bool RequestSent { get; private set; }

    private bool WroteAnything { get; set; }

    /// <summary>Something went other than scripted (a retry, a NAK, a skipped byte, the terminal moving on without our
    /// ACK): the line's state after such an exchange is unknown, so it never ends clean.</summary>
    private bool OffScript { get; set; }

    /// <summary>Sends <paramref name="request"/> and returns the answer's message, waiting up to
    /// <paramref name="answerWait"/> for the terminal to start answering; the whole exchange has one deadline,
    /// <paramref name="answerWait"/> + <see cref="ExchangeDeadline.MarginSteps"/> steps.</summary>
    /// <exception cref="TerminalException">The terminal was silent, refused the request, answered garbage, or the
    /// deadline passed.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the terminal was sent EOT.</exception>
    /// <exception cref="IOException">The link itself failed (unplugged; <see cref="LinkStalledException"/> when it
    /// took no bytes in time): the caller drops it.</exception>
    public Task<string> ExchangeAsync(string request, TimeSpan answerWait, CancellationToken cancellationToken) =>
        ExchangeAsync(request, new ExchangeDeadline(answerWait, options, time), cancellationToken);

    /// <summary>The exchange within a <paramref name="deadline"/> that the caller started (one deadline across a
    /// start-over on a fresh link).</summary>
    public async Task<string> ExchangeAsync(string request, ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);

        // Unclean from now until this exchange ends clean: however it fails (or is cancelled), the next one drains.
        var lineClean = line.TakeClean();
        try
        {
            var answerStarted = await SendAsync(request, lineClean, deadline, cancellationToken).ConfigureAwait(false);
            var (message, endedClean) = await ReceiveAsync(answerStarted, deadline, cancellationToken).ConfigureAwait(false);
            if (endedClean)
            {
                line.MarkClean();
            }

            return message;
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

    /// <summary>The request's half; true when the terminal skipped its ACK and started its answer at once (its ENQ is
    /// answered already). The drain is skipped when the last exchange left the line clean: nothing of it is still due,
    /// and an unclean one before it was drained by the clean one.</summary>
    private async Task<bool> SendAsync(string request, bool lineClean, ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        var frame = ConcertFrame.Build(request, options.MaxMessageLength);
        if (!lineClean)
        {
            await DrainAsync(deadline, cancellationToken).ConfigureAwait(false);
        }

        await OpenAsync(deadline, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            // Set before the write: a write that fails halfway may have given the terminal the whole frame.
            RequestSent = true;
            await WriteAsync(frame, deadline, cancellationToken).ConfigureAwait(false);
            var reply = await WaitForAsync(
                b => b is ConcertFrame.Ack or ConcertFrame.Nak or ConcertFrame.Eot or ConcertFrame.Enq,
                options.StepTimeout,
                deadline,
                "waiting for the request frame's ACK",
                cancellationToken).ConfigureAwait(false);
            if (reply != ConcertFrame.Ack)
            {
                OffScript = true;
            }

            switch (reply)
            {
                case ConcertFrame.Ack:
                    await WriteAsync([ConcertFrame.Eot], deadline, cancellationToken).ConfigureAwait(false);
                    return false;
                case ConcertFrame.Eot:
                    // The terminal ended the request's half itself (its ACK lost on the line): it has the frame, and
                    // sending it again could make it pay twice. Its answer follows.
                    return false;
                case ConcertFrame.Enq:
                    // The terminal already starts its answer: it has the frame. Answer its ENQ, never resend.
                    await WriteAsync([ConcertFrame.Ack], deadline, cancellationToken).ConfigureAwait(false);
                    return true;
            }

            if (attempt == Attempts)
            {
                throw new TerminalException(reply is null
                    ? $"The terminal did not acknowledge the request frame ({Attempts} attempts, {Seconds(options.StepTimeout)} each)."
                    : $"The terminal refused the request frame (NAK) {Attempts} times.");
            }

            ThrowIfPast(deadline, "before the request frame could be sent again");
        }
    }

    /// <summary>Discards what the terminal sent after an earlier exchange ended (a late answer to a request that was
    /// cancelled or timed out): read until the line has been quiet for <see cref="QuietWindow"/>, at most one step. The
    /// DemandeZDC answer names no request, so an old one left on the line would be taken for this one's: another
    /// customer's card.</summary>
    private async Task DrainAsync(ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        using var step = new CancellationTokenSource(deadline.Bound(options.StepTimeout), time);
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

    private async Task OpenAsync(ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            ThrowIfPast(deadline, "opening the exchange with ENQ");
            await WriteAsync([ConcertFrame.Enq], deadline, cancellationToken).ConfigureAwait(false);
            var reply = await WaitForAsync(b => b is ConcertFrame.Ack or ConcertFrame.Nak, options.StepTimeout, deadline, "waiting for the ACK to ENQ", cancellationToken)
                .ConfigureAwait(false);
            if (reply == ConcertFrame.Ack)
            {
                return;
            }

            OffScript = true;
        }

        throw new TerminalException($"The terminal did not answer ENQ with ACK ({Attempts} attempts, {Seconds(options.StepTimeout)} each): is it on and in the Izly application?");
    }

    /// <summary>The answer's half: the answer's message, and whether the exchange ended clean (scripted throughout,
    /// the terminal's EOT the first and last byte after our ACK of its answer).</summary>
    private async Task<(string Message, bool EndedClean)> ReceiveAsync(bool answerStarted, ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        if (!answerStarted)
        {
            if (await WaitForAsync(b => b == ConcertFrame.Enq, deadline.AnswerWait, deadline, "waiting for the terminal's answer", cancellationToken).ConfigureAwait(false) is null)
            {
                throw new TerminalException($"The terminal sent no answer within {Seconds(deadline.AnswerWait)}.");
            }

            await WriteAsync([ConcertFrame.Ack], deadline, cancellationToken).ConfigureAwait(false);
        }

        var problem = "";
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            if (attempt > 1)
            {
                OffScript = true;
                ThrowIfPast(deadline, $"before asking the answer frame again (last: {problem})");
                await WriteAsync([ConcertFrame.Nak], deadline, cancellationToken).ConfigureAwait(false);
            }

            var (message, why) = await ReadFrameAsync(deadline, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                await WriteAsync([ConcertFrame.Ack], deadline, cancellationToken).ConfigureAwait(false);

                // The answer is whole and acknowledged: a missing EOT costs one step (at most what is left), not the answer.
                var eot = await WaitForAsync(b => b == ConcertFrame.Eot, options.StepTimeout, deadline, null, cancellationToken).ConfigureAwait(false);

                // Bytes already read past the EOT are lost with this link's buffer: the line is clean only without them.
                return (message, eot is not null && !OffScript && _next == _end);
            }

            problem = why;
        }

        throw new TerminalException($"The terminal's answer frame was unreadable {Attempts} times (last: {problem}).");
    }

    /// <summary>One frame within one step: the message, or why there is none (then the caller NAKs).</summary>
    /// <exception cref="TerminalException">The deadline passed first.</exception>
    private async Task<(string? Message, string Problem)> ReadFrameAsync(ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        var within = deadline.Bound(options.StepTimeout);
        using var step = new CancellationTokenSource(within, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, step.Token);
        var message = new byte[options.MaxMessageLength];
        try
        {
            byte b;
            while ((b = await ReadByteAsync(linked.Token).ConfigureAwait(false)) != ConcertFrame.Stx)
            {
                OffScript = true;
                if (b == ConcertFrame.Enq)
                {
                    // The terminal did not hear our ACK and asks again.
                    await WriteAsync([ConcertFrame.Ack], deadline, linked.Token).ConfigureAwait(false);
                }
            }

            var length = 0;
            while ((b = await ReadByteAsync(linked.Token).ConfigureAwait(false)) != ConcertFrame.Etx)
            {
                if (b == ConcertFrame.Stx)
                {
                    OffScript = true;
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
            if (within < options.StepTimeout)
            {
                throw PastDeadline(deadline, "reading the answer frame");
            }

            return (null, $"no whole frame within {Seconds(options.StepTimeout)}");
        }
    }

    /// <summary>Reads until a byte <paramref name="wanted"/> accepts (others are line noise or stale bytes and are
    /// skipped); null when <paramref name="within"/> passes first. When the deadline cuts the wait short, throws the
    /// deadline's <see cref="TerminalException"/> saying it happened <paramref name="waitingFor"/>, or returns null
    /// when that is null (a wait whose end changes nothing).</summary>
    private async Task<byte?> WaitForAsync(Func<byte, bool> wanted, TimeSpan within, ExchangeDeadline deadline, string? waitingFor, CancellationToken cancellationToken)
    {
        var bound = deadline.Bound(within);
        using var timer = new CancellationTokenSource(bound, time);
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

                OffScript = true;
            }
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (bound < within && waitingFor is not null)
            {
                throw PastDeadline(deadline, waitingFor);
            }

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

    /// <summary>A write bounded by one step, the first one by every attempt's steps (the host's link holds writes while
    /// it reopens a lost device, and that wait must end too), and by the deadline; near the deadline it still has
    /// <see cref="EndBudget"/>, so that the ACK of an answer that came just in time is not lost.</summary>
    private Task WriteAsync(byte[] bytes, ExchangeDeadline deadline, CancellationToken cancellationToken)
    {
        var budget = WroteAnything ? options.StepTimeout : options.StepTimeout * Attempts;
        var left = deadline.Left > EndBudget ? deadline.Left : EndBudget;
        return WriteWithinAsync(bytes, budget < left ? budget : left, cancellationToken);
    }

    private async Task WriteWithinAsync(byte[] bytes, TimeSpan budget, CancellationToken cancellationToken)
    {
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

    /// <summary>EOT, best effort and bounded by <see cref="EndBudget"/> (not by the deadline, which may be over): the
    /// exchange is over for us, whatever the terminal was doing, and the caller (a cancel, a timeout) must not wait past
    /// the host's cancel grace for a link that is away.</summary>
    private async Task TryEndAsync()
    {
        try
        {
            await WriteWithinAsync([ConcertFrame.Eot], EndBudget < options.StepTimeout ? EndBudget : options.StepTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The link is gone or wedged: the next exchange finds out and reopens it.
        }
    }

    private void ThrowIfPast(ExchangeDeadline deadline, string doing)
    {
        if (deadline.Passed)
        {
            throw PastDeadline(deadline, doing);
        }
    }

    private TerminalException PastDeadline(ExchangeDeadline deadline, string doing) => new(
        $"The exchange's deadline passed {doing}: {Seconds(deadline.Total)} in all ({Seconds(deadline.AnswerWait)} for the answer + "
        + $"{ExchangeDeadline.MarginSteps} steps of {Seconds(options.StepTimeout)}).");

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
