using System.Diagnostics;
using System.Text;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra.Link;
using Middleware.Tetra.Tests.Support;
using Xunit.Abstractions;

namespace Middleware.Tetra.Tests.Link;

/// <summary>
/// The exchange's one deadline at the default settings (3 s steps, 3 retries), in wall-clock time on an in-memory line:
/// the longest a terminal can make an exchange last stays within the answer's wait + 4 steps + the closing EOT, below
/// what the host gives a terminal call (the customer's time + CardReaders:TerminalMargin, 20 s by default).
/// </summary>
public sealed class ExchangeDeadlineTests(ITestOutputHelper output)
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const byte Eot = 0x04;
    private const byte Enq = 0x05;
    private const byte Ack = 0x06;

    private static readonly ConcertLinkOptions Defaults = new(TimeSpan.FromSeconds(3), Retries: 3);

    /// <summary>A payment's answer wait as the plugin sets it: the customer's 2 s + one step.</summary>
    private static readonly TimeSpan CustomerTime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AnswerWait = CustomerTime + Defaults.StepTimeout;
    private static readonly TimeSpan HostMargin = TimeSpan.FromSeconds(20);

    /// <summary>Scheduling slack on a loaded 2-core machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    private readonly InMemoryLine _line = new();

    [Fact]
    public void The_longest_exchange_at_the_defaults_is_the_answer_wait_plus_12_25_s_below_the_hosts_margin()
    {
        Assert.Equal(AnswerWait + TimeSpan.FromSeconds(12.25), ExchangeDeadline.Longest(AnswerWait, Defaults));
        Assert.True(ExchangeDeadline.Longest(AnswerWait, Defaults) < CustomerTime + HostMargin);
    }

    [Fact]
    public async Task A_terminal_silent_after_enq_fails_after_four_3_s_steps()
    {
        var clock = Stopwatch.StartNew();
        var exchange = Exchange();

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(TimeSpan.FromSeconds(40)));

        output.WriteLine($"silent after ENQ: {clock.Elapsed.TotalSeconds:0.000} s ({e.Message})");
        Assert.Contains("did not answer ENQ with ACK (4 attempts, 3 s each)", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(12) - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(12.25) + Slack);
    }

    [Fact]
    public async Task A_terminal_that_acks_the_frame_and_never_answers_fails_after_the_answer_wait()
    {
        var clock = Stopwatch.StartNew();
        var exchange = Exchange();
        await ExpectAsync(Enq);
        Send(Ack);
        await ExpectAsync(Frame("PAY"));
        Send(Ack);
        await ExpectAsync(Eot);

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(TimeSpan.FromSeconds(40)));

        output.WriteLine($"never answers after ACKing the frame: {clock.Elapsed.TotalSeconds:0.000} s ({e.Message})");
        Assert.Contains("sent no answer within 5 s", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, AnswerWait - TimeSpan.FromMilliseconds(50), AnswerWait + TimeSpan.FromSeconds(0.25) + Slack);
        await ExpectAsync(Eot);
    }

    [Fact]
    public async Task The_slowest_terminal_the_protocol_allows_is_cut_at_the_deadline()
    {
        // The terminal takes the 4th ENQ (9 s) and then lets every frame wait its whole step: without one deadline the
        // 4th frame would be ACKed at 21 s and the answer awaited 5 s more (then 4 answer frame steps and the EOT: the
        // old worst case of the answer's wait + 42 s). The deadline is 5 s + 12 s = 17 s.
        var clock = Stopwatch.StartNew();
        var exchange = Exchange();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ExpectAsync(Enq);
        }

        Send(Ack);
        await ExpectAsync(Frame("PAY"));

        var e = await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(TimeSpan.FromSeconds(60)));
        var took = clock.Elapsed;

        output.WriteLine($"slowest terminal: {took.TotalSeconds:0.000} s ({e.Message})");
        Assert.Contains("deadline passed", e.Message, StringComparison.Ordinal);
        Assert.InRange(took, AnswerWait + TimeSpan.FromSeconds(12) - TimeSpan.FromMilliseconds(50), ExchangeDeadline.Longest(AnswerWait, Defaults) + Slack);
        Assert.True(took < CustomerTime + HostMargin, $"took {took}, the host gives {CustomerTime + HostMargin}");

        // The request frame went out 3 times (the 4th would start after the deadline), then EOT.
        var rest = new List<byte>();
        while (await _line.Terminal.ReadByteAsync(TimeSpan.FromSeconds(1)) is { } b)
        {
            rest.Add(b);
        }

        Assert.Equal(Convert.ToHexString([.. Frame("PAY"), .. Frame("PAY"), Eot]), Convert.ToHexString([.. rest]));
    }

    private Task<string> Exchange() =>
        new ConcertLink(_line.Till, Defaults, TimeProvider.System).ExchangeAsync("PAY", AnswerWait, CancellationToken.None);

    private void Send(params byte[] bytes) => _line.Terminal.Write(bytes);

    private async Task ExpectAsync(params byte[] expected)
    {
        var received = new List<byte>();
        foreach (var _ in expected)
        {
            var b = await _line.Terminal.ReadByteAsync(TimeSpan.FromSeconds(15));
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
}
