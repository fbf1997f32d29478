using System.Diagnostics;
using System.Text;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra.Link;
using Middleware.Tetra.Tests.Support;

namespace Middleware.Tetra.Tests.Link;

/// <summary>The Concert framing on an in-memory line, the test playing the terminal byte by byte.</summary>
public sealed class ConcertLinkTests
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const byte Eot = 0x04;
    private const byte Enq = 0x05;
    private const byte Ack = 0x06;
    private const byte Nak = 0x15;
    /// <summary>The step of the tests that measure a timeout.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);

    /// <summary>The step of the tests where the terminal answers at once: long, so that a loaded machine stalling the
    /// test for a moment does not turn into a retry the test did not script.</summary>
    private static readonly TimeSpan RelaxedStep = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly InMemoryLine _line = new();

    [Fact]
    public async Task A_whole_exchange_goes_byte_for_byte_as_concert_says()
    {
        var exchange = Exchange("ZDC?01030", TimeSpan.FromSeconds(2));

        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("ZDC?01030"));
        Send(Ack);
        await ExpectAsync(Eot);
        Send(Enq);
        await ExpectAsync(Ack);
        Send(Frame("ANSWER"));
        await ExpectAsync(Ack);
        Send(Eot);

        Assert.Equal("ANSWER", await exchange.WaitAsync(Wait));
    }

    [Fact]
    public async Task What_an_earlier_exchange_left_on_the_line_is_discarded_before_the_new_enq()
    {
        // A late answer to a request the till gave up on (its ACK and a whole frame) is on the line already.
        Send([Ack, Enq, .. Frame("ZDC=0OLDCARD"), Eot]);
        await Task.Delay(100);
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));

        await ExpectAsync(Enq);
        // The stale ACK is not taken for the answer to this ENQ: the request frame waits for the terminal's own ACK.
        Assert.Null(await _line.Terminal.ReadByteAsync(TimeSpan.FromMilliseconds(300)));
        Send(Ack);
        await ExpectAsync(Frame("REQ"));
        Send(Ack);
        await ExpectAsync(Eot);
        Send(Enq);
        await ExpectAsync(Ack);
        Send(Frame("NEW"));
        await ExpectAsync(Ack);
        Send(Eot);

        Assert.Equal("NEW", await exchange.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_nak_gets_the_frame_again_up_to_three_times_then_a_clear_error_and_eot()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));
        await ExpectAsync(Enq);
        Send(Ack);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await ExpectAsync(Frame("REQ"));
            Send(Nak);
        }

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));
        Assert.Contains("refused the request frame (NAK) 4 times", e.Message, StringComparison.Ordinal);
        await ExpectAsync(Eot);
    }

    [Fact]
    public async Task A_nak_then_an_ack_carries_on()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("REQ"));
        Send(Nak);
        await ExpectAsync(Frame("REQ"));
        Send(Ack);
        await ExpectAsync(Eot);
        await AnswerAsync("OK");

        Assert.Equal("OK", await exchange.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_terminal_that_answers_the_request_frame_with_enq_has_it_its_enq_is_acked_and_the_frame_never_sent_again()
    {
        // Without the rule the link skips the ENQ while it waits for ACK and resends the frame after a step, so the byte
        // after our ENQ would be STX, not ACK. A relaxed step: a 0.5 s one timed the answer frame out under CI load (NAK).
        var link = new ConcertLink(_line.Till, new ConcertLinkOptions(RelaxedStep, Retries: 3), TimeProvider.System);
        var exchange = link.ExchangeAsync("PAY", TimeSpan.FromSeconds(2), CancellationToken.None);
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("PAY"));

        // Its ACK lost on the line, the terminal starts its answer.
        Send(Enq);
        await ExpectAsync(Ack);
        Send(Frame("DONE"));
        await ExpectAsync(Ack);
        Send(Eot);

        Assert.Equal("DONE", await exchange.WaitAsync(Wait));
        Assert.True(link.RequestSent);
        Assert.Empty(await RestAsync());
    }

    [Fact]
    public async Task A_terminal_that_ends_the_request_with_eot_has_it_the_link_waits_for_its_answer_and_sends_nothing_again()
    {
        var exchange = Exchange("PAY", TimeSpan.FromSeconds(3), step: Step);
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("PAY"));
        Send(Eot);

        // Two steps of silence from the link: no second frame (and no EOT: the terminal ended that half itself).
        Assert.Empty(await RestAsync(2 * Step));
        await AnswerAsync("DONE");

        Assert.Equal("DONE", await exchange.WaitAsync(Wait));
    }

    [Fact]
    public async Task When_the_answer_fails_after_the_terminal_took_the_frame_the_frame_went_once_and_the_link_says_it_was_sent()
    {
        var link = new ConcertLink(_line.Till, new ConcertLinkOptions(Step, Retries: 3), TimeProvider.System);
        var exchange = link.ExchangeAsync("PAY", TimeSpan.FromSeconds(2), CancellationToken.None);
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("PAY"));
        Send(Enq);
        await ExpectAsync(Ack);

        // Then silence: the answer frame never comes.
        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));

        Assert.Contains("answer frame was unreadable 4 times", e.Message, StringComparison.Ordinal);
        Assert.True(link.RequestSent);
        Assert.False(e.RequestNotSent);

        // Three NAKs asked the answer again and EOT ended it; the request frame never went out again.
        Assert.Equal(Convert.ToHexString([Nak, Nak, Nak, Eot]), Convert.ToHexString([.. await RestAsync()]));
    }

    [Fact]
    public async Task Retries_that_add_up_past_the_deadline_end_the_exchange_at_it()
    {
        // Deadline: the answer's 3 s + 4 steps of 0.5 s = 5 s. The terminal takes the 4th ENQ (1.5 s) and the 4th
        // frame (3 s), then never answers: without one deadline that is 3 s + the answer's 3 s = 6 s.
        var clock = Stopwatch.StartNew();
        var exchange = Exchange("PAY", TimeSpan.FromSeconds(3), step: Step);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ExpectAsync(Enq);
        }

        Send(Ack);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ExpectAsync(Frame("PAY"));
        }

        Send(Ack);
        await ExpectAsync(Eot);

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));

        Assert.Contains("deadline passed waiting for the terminal's answer: 5 s in all (3 s for the answer + 4 steps of 0.5 s)", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(0.9));
        await ExpectAsync(Eot);
    }

    [Fact]
    public async Task An_answer_frame_still_asked_again_at_the_deadline_ends_there()
    {
        // Deadline: 1 s + 4 × 0.5 s = 3 s. ENQ takes two steps (0.5 s), the answer starts near the end of its 1 s
        // (1.3 s), then the frames never come: four frame steps would end at 3.3 s, the deadline ends it at 3 s.
        var clock = Stopwatch.StartNew();
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(1), step: Step);
        await ExpectAsync(Enq);
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("REQ"));
        Send(Ack);
        await ExpectAsync(Eot);
        if (TimeSpan.FromSeconds(1.3) - clock.Elapsed is { } pause && pause > TimeSpan.Zero)
        {
            await Task.Delay(pause);
        }

        Send(Enq);
        await ExpectAsync(Ack);

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));

        Assert.Contains("deadline passed reading the answer frame: 3 s in all", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(3.4));
    }

    [Fact]
    public async Task A_silent_terminal_fails_after_four_enq_steps_not_later()
    {
        var clock = Stopwatch.StartNew();
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2), step: Step);

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));

        Assert.Contains("did not answer ENQ with ACK (4 attempts, 0.5 s each)", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, 4 * Step - TimeSpan.FromMilliseconds(50), 4 * Step + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_request_frame_never_acknowledged_fails_after_its_retries()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2), step: Step);
        await ExpectAsync(Enq);
        Send(Ack);

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));
        Assert.Contains("did not acknowledge the request frame (4 attempts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_answer_within_the_answer_time_is_a_clear_error_in_that_time()
    {
        var clock = Stopwatch.StartNew();
        var exchange = Exchange("REQ", TimeSpan.FromMilliseconds(600), step: Step);
        await AcceptRequestAsync("REQ");

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));

        Assert.Contains("sent no answer within 0.6 s", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(3));
        await ExpectAsync(Eot);
    }

    [Fact]
    public async Task A_bad_lrc_is_naked_and_the_good_frame_that_follows_is_taken()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));
        await AcceptRequestAsync("REQ");
        Send(Enq);
        await ExpectAsync(Ack);
        var bad = Frame("ANSWER");
        bad[^1] ^= 0x01;
        Send(bad);
        await ExpectAsync(Nak);
        Send(Frame("ANSWER"));
        await ExpectAsync(Ack);
        Send(Eot);

        Assert.Equal("ANSWER", await exchange.WaitAsync(Wait));
    }

    [Theory]
    [InlineData("lrc")]
    [InlineData("control")]
    [InlineData("long")]
    [InlineData("empty")]
    public async Task An_answer_frame_bad_four_times_is_a_clear_error(string fault)
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));
        await AcceptRequestAsync("REQ");
        Send(Enq);
        await ExpectAsync(Ack);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var frame = fault switch
            {
                "lrc" => Corrupt(Frame("ANSWER")),
                "control" => [Stx, 0x41, 0x07, 0x42, Etx, 0x41 ^ 0x07 ^ 0x42 ^ Etx],
                "long" => [Stx, .. Enumerable.Repeat((byte)'A', 300)],
                _ => [Stx, Etx, Etx],
            };
            Send(frame);
            if (attempt < 3)
            {
                await ExpectAsync(Nak);
            }
        }

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));
        Assert.Contains("answer frame was unreadable 4 times", e.Message, StringComparison.Ordinal);
        var last = fault switch
        {
            "lrc" => "LRC",
            "control" => "control byte 0x07",
            "long" => "longer than 256",
            _ => "empty frame",
        };
        Assert.Contains(last, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_frame_that_never_ends_is_naked_after_a_step_each_time_then_a_clear_error()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2), step: Step);
        await AcceptRequestAsync("REQ");
        Send(Enq);
        await ExpectAsync(Ack);
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            Send(Stx, 0x41, 0x42);
            if (attempt < 3)
            {
                await ExpectAsync(Nak);
            }
        }

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));
        Assert.Contains("unreadable 4 times (last: no whole frame within 0.5 s)", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, 4 * Step - TimeSpan.FromMilliseconds(50), 4 * Step + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Noise_before_the_ack_is_skipped()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));
        await ExpectAsync(Enq);
        Send(0x00, 0xFF, Eot, (byte)'x', Ack);
        await ExpectAsync(Frame("REQ"));
        Send(Ack);
        await ExpectAsync(Eot);
        await AnswerAsync("OK");

        Assert.Equal("OK", await exchange.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_missing_eot_after_the_answer_costs_one_step_not_the_answer()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2), step: Step);
        await AcceptRequestAsync("REQ");
        Send(Enq);
        await ExpectAsync(Ack);
        var clock = Stopwatch.StartNew();
        Send(Frame("OK"));
        await ExpectAsync(Ack);

        Assert.Equal("OK", await exchange.WaitAsync(Wait));
        Assert.InRange(clock.Elapsed, Step - TimeSpan.FromMilliseconds(50), Step + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_cancel_stops_the_wait_at_once_and_sends_eot()
    {
        using var cancel = new CancellationTokenSource();
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(30), cancellationToken: cancel.Token);
        await AcceptRequestAsync("REQ");
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exchange.WaitAsync(Wait));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        await ExpectAsync(Eot);
    }

    [Fact]
    public async Task A_link_that_ends_is_an_io_error_for_the_caller_to_drop()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2));
        await ExpectAsync(Enq);
        _line.Close();

        await Assert.ThrowsAsync<IOException>(() => exchange.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_link_that_takes_no_bytes_is_an_io_error_within_the_steps_of_every_attempt()
    {
        var clock = Stopwatch.StartNew();
        var link = new ConcertLink(new StuckStream(), new ConcertLinkOptions(Step, Retries: 3), TimeProvider.System);

        var e = await Assert.ThrowsAsync<LinkStalledException>(() => link.ExchangeAsync("REQ", TimeSpan.FromSeconds(2), CancellationToken.None).WaitAsync(Wait));

        Assert.Contains("took no bytes within 2 s", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, 4 * Step - TimeSpan.FromMilliseconds(50), 4 * Step + TimeSpan.FromSeconds(2));
    }

    private Task<string> Exchange(string request, TimeSpan answerWait, TimeSpan? step = null, CancellationToken cancellationToken = default) =>
        new ConcertLink(_line.Till, new ConcertLinkOptions(step ?? RelaxedStep, Retries: 3), TimeProvider.System).ExchangeAsync(request, answerWait, cancellationToken);

    private async Task AcceptRequestAsync(string request)
    {
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame(request));
        Send(Ack);
        await ExpectAsync(Eot);
    }

    private async Task AnswerAsync(string answer)
    {
        Send(Enq);
        await ExpectAsync(Ack);
        Send(Frame(answer));
        await ExpectAsync(Ack);
        Send(Eot);
    }

    /// <summary>Every byte the link sends until it has been quiet for <paramref name="quiet"/> (1 s by default).</summary>
    private async Task<List<byte>> RestAsync(TimeSpan? quiet = null)
    {
        var rest = new List<byte>();
        while (await _line.Terminal.ReadByteAsync(quiet ?? TimeSpan.FromSeconds(1)) is { } b)
        {
            rest.Add(b);
        }

        return rest;
    }

    private void Send(params byte[] bytes) => _line.Terminal.Write(bytes);

    private async Task ExpectAsync(params byte[] expected)
    {
        var received = new List<byte>();
        foreach (var _ in expected)
        {
            var b = await _line.Terminal.ReadByteAsync(Wait);
            Assert.True(b.HasValue, $"the link sent {received.Count} of {expected.Length} bytes expected ({Convert.ToHexString(expected)}), then nothing");
            received.Add(b.Value);
        }

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString([.. received]));
    }

    private static byte[] Frame(string message)
    {
        var bytes = Encoding.ASCII.GetBytes(message);
        byte lrc = Etx;
        foreach (var b in bytes)
        {
            lrc ^= b;
        }

        return [Stx, .. bytes, Etx, lrc];
    }

    /// <summary>A link whose writes wait until cancelled, as the host's link does while the device is away.</summary>
    private sealed class StuckStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            await Task.Delay(Timeout.Infinite, cancellationToken);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static byte[] Corrupt(byte[] frame)
    {
        frame[^1] ^= 0x5A;
        return frame;
    }
}
