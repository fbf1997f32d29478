using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Middleware.VirtualTerminals.Tetra;

/// <summary>
/// The terminal's side of the Concert protocol (<c>cards.md</c> §7) on one stream, written apart from the plugin's
/// link so that each checks the other: waits for ENQ, takes the request frame, then answers it as the current
/// <see cref="TetraBehaviour"/> says. A blocking reader thread feeds an inbox, so every wait here has a deadline even
/// on a pty opened as a plain file (whose reads ignore cancellation).
/// </summary>
internal sealed class TetraTerminalSession : IAsyncDisposable
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const byte Eot = 0x04;
    private const byte Enq = 0x05;
    private const byte Ack = 0x06;
    private const byte Nak = 0x15;
    private const int Attempts = 4;
    private const int MaxFrame = 512;

    private readonly Stream _stream;
    private readonly Func<TetraBehaviour> _behaviour;
    private readonly TimeSpan _step;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string> _onRequest;
    // Bounded: a peer that floods the line loses what does not fit, the simulator's memory stays put.
    private readonly Channel<byte> _inbox = Channel.CreateBounded<byte>(new BoundedChannelOptions(64 * 1024)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
        SingleWriter = true,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _protocol;
    private int? _pushedBack;

    public TetraTerminalSession(Stream stream, Func<TetraBehaviour> behaviour, TimeSpan step, TimeProvider time, ILogger logger, Action<string> onRequest)
    {
        _stream = stream;
        _behaviour = behaviour;
        _step = step;
        _time = time;
        _logger = logger;
        _onRequest = onRequest;
        new Thread(ReadLoop) { IsBackground = true, Name = "tetra-sim-reader" }.Start();
        _protocol = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Ends when the stream ends (unplugged) or the session is disposed.</summary>
    public Task Completion => _protocol;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _protocol.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private void ReadLoop()
    {
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = _stream.Read(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    _inbox.Writer.TryWrite(buffer[i]);
                }
            }
        }
        catch (Exception e)
        {
            // The pty went away (socat killed) or the stream was closed: the session ends.
            _logger.LogDebug("Simulated Tetra: read ended ({Error})", e.GetType().Name);
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (await NextAsync(cancellationToken).ConfigureAwait(false) != Enq)
                {
                    continue;
                }

                var behaviour = _behaviour();
                if (behaviour.Line == TetraLineBehaviour.Silent)
                {
                    continue;
                }

                await WriteAsync([Ack], cancellationToken).ConfigureAwait(false);
                if (await ReceiveRequestAsync(behaviour, cancellationToken).ConfigureAwait(false) is not { } request)
                {
                    continue;
                }

                _onRequest(request);
                await AnswerAsync(request, behaviour, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException)
        {
            // Unplugged.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _logger.LogDebug("Simulated Tetra: write failed ({Error})", e.GetType().Name);
        }
    }

    private async Task<string?> ReceiveRequestAsync(TetraBehaviour behaviour, CancellationToken cancellationToken)
    {
        // As many attempts as the till makes: it ends them with EOT, a fresh ENQ or silence.
        while (true)
        {
            var (message, valid) = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (message is null && !valid)
            {
                return null;
            }

            if (!valid || behaviour.Line == TetraLineBehaviour.NakRequests)
            {
                await WriteAsync([Nak], cancellationToken).ConfigureAwait(false);
                continue;
            }

            await WriteAsync([Ack], cancellationToken).ConfigureAwait(false);
            await WaitForAsync(b => b == Eot, _step, cancellationToken).ConfigureAwait(false);
            return message;
        }
    }

    /// <summary>(message, true) for a good frame; (null, true) for a bad one (NAK it); (null, false) when the till
    /// stopped (EOT, new ENQ, nothing within a step).</summary>
    private async Task<(string? Message, bool Valid)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(_step, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            byte b;
            while ((b = await NextAsync(linked.Token).ConfigureAwait(false)) != Stx)
            {
                if (b == Eot)
                {
                    return (null, false);
                }

                if (b == Enq)
                {
                    _pushedBack = b;
                    return (null, false);
                }
            }

            var message = new List<byte>();
            while ((b = await NextAsync(linked.Token).ConfigureAwait(false)) != Etx)
            {
                if (message.Count == MaxFrame)
                {
                    return (null, true);
                }

                message.Add(b);
            }

            var lrc = await NextAsync(linked.Token).ConfigureAwait(false);
            var expected = Etx;
            foreach (var m in message)
            {
                expected ^= m;
            }

            return lrc == expected ? (Encoding.ASCII.GetString([.. message]), true) : (null, true);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, false);
        }
    }

    private async Task AnswerAsync(string request, TetraBehaviour behaviour, CancellationToken cancellationToken)
    {
        if (Answer(request, behaviour) is not var (answer, wait))
        {
            _logger.LogInformation("Simulated Tetra: no answer to an unknown request of {Length} characters", request.Length);
            return;
        }

        if (behaviour.Line == TetraLineBehaviour.Slow)
        {
            wait += behaviour.SlowDelay;
        }

        if (behaviour.Line == TetraLineBehaviour.TruncatedAnswer)
        {
            answer = answer[..^1];
        }

        if (wait > TimeSpan.Zero && await InterruptedAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var opened = false;
        for (var attempt = 0; attempt < Attempts && !opened; attempt++)
        {
            await WriteAsync([Enq], cancellationToken).ConfigureAwait(false);
            opened = await WaitForAsync(b => b is Ack or Nak or Eot, _step, cancellationToken).ConfigureAwait(false) == Ack;
        }

        if (!opened)
        {
            return;
        }

        var frame = Frame(answer, behaviour.Line);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            await WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            var reply = await WaitForAsync(b => b is Ack or Nak or Eot, _step, cancellationToken).ConfigureAwait(false);
            if (reply == Ack)
            {
                break;
            }

            if (reply != Nak)
            {
                return;
            }
        }

        await WriteAsync([Eot], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The answer to a request and how long the terminal takes before it; null for a request it does not know.</summary>
    private static (string Answer, TimeSpan Wait)? Answer(string request, TetraBehaviour behaviour)
    {
        if (request.Length == 9 && request.StartsWith("ZDC?", StringComparison.Ordinal) && request[4..].All(char.IsAsciiDigit))
        {
            var seconds = int.Parse(request[6..], CultureInfo.InvariantCulture);
            var zeros = new string('0', 45);
            return behaviour.Card switch
            {
                TetraCardBehaviour.CardPresent => ("ZDC=0" + behaviour.SamId + behaviour.NumeroApplicatif + behaviour.IdSupport.PadLeft(15, '0'), TimeSpan.Zero),
                TetraCardBehaviour.CardAbsent => ("ZDC=1" + zeros, TimeSpan.FromSeconds(seconds)),
                TetraCardBehaviour.NotIzlyCard => ("ZDC=2" + zeros, TimeSpan.Zero),
                _ => ("ZDC=3" + zeros, TimeSpan.Zero),
            };
        }

        if (request.Length == 34 && request[..13].All(char.IsAsciiDigit))
        {
            var till = request[..2];
            var full = request[10] == '1';
            var mode = request[11];
            var currency = request.Substring(13, 3);
            var privateData = request.Substring(16, 10);
            var (result, amount) = behaviour.Payment switch
            {
                TetraPaymentBehaviour.Accepted => ('0', request.Substring(2, 8)),
                TetraPaymentBehaviour.Refused => ('7', request.Substring(2, 8)),
                _ => ('9', "00000000"),
            };
            var report = full ? behaviour.PaymentReport.PadRight(55)[..55] : "";
            return ($"{till}{result}{amount}{mode}{report}{currency}{privateData}", TimeSpan.Zero);
        }

        return null;
    }

    private static byte[] Frame(string message, TetraLineBehaviour line)
    {
        if (line == TetraLineBehaviour.Garbage)
        {
            var noise = new byte[301];
            noise[0] = Stx;
            for (var i = 1; i < noise.Length; i++)
            {
                noise[i] = (byte)('A' + (i * 7 % 26));
            }

            return noise;
        }

        var frame = new byte[message.Length + 3];
        frame[0] = Stx;
        Encoding.ASCII.GetBytes(message, frame.AsSpan(1));
        frame[^2] = Etx;
        byte lrc = 0;
        foreach (var b in frame.AsSpan(1, message.Length + 1))
        {
            lrc ^= b;
        }

        frame[^1] = line == TetraLineBehaviour.CorruptLrc ? (byte)(lrc ^ 0x5A) : lrc;
        return frame;
    }

    /// <summary>Waits <paramref name="wait"/> unless the till gives up first (EOT, or a new request's ENQ).</summary>
    private async Task<bool> InterruptedAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var stop = await WaitForAsync(b => b is Eot or Enq, wait, cancellationToken).ConfigureAwait(false);
        if (stop == Enq)
        {
            _pushedBack = Enq;
        }

        return stop is not null;
    }

    private async Task<byte?> WaitForAsync(Func<byte, bool> wanted, TimeSpan within, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(within, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            while (true)
            {
                var b = await NextAsync(linked.Token).ConfigureAwait(false);
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

    private async ValueTask<byte> NextAsync(CancellationToken cancellationToken)
    {
        if (_pushedBack is { } pushed)
        {
            _pushedBack = null;
            return (byte)pushed;
        }

        return await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
