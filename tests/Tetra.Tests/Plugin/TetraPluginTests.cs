using System.Diagnostics;
using System.Text.Json;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra;
using Middleware.Tetra.Tests.Support;

namespace Middleware.Tetra.Tests.Plugin;

/// <summary>The plugin's settings, its arguments and its start, on an in-memory link.</summary>
public sealed class TetraPluginTests
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const byte Enq = 0x05;
    private const byte Ack = 0x06;
    private const byte Eot = 0x04;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("tillNumber", -1)]
    [InlineData("tillNumber", 100)]
    [InlineData("stepTimeoutMs", 49)]
    [InlineData("stepTimeoutMs", 60_001)]
    [InlineData("retries", -1)]
    [InlineData("retries", 11)]
    [InlineData("terminalMarginMs", 999)]
    public async Task A_setting_out_of_range_fails_the_start_naming_it(string setting, int value)
    {
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(new InMemoryLine()), new() { [setting] = value });

        var e = await Assert.ThrowsAsync<ArgumentException>(() => plugin.StartAsync(context, CancellationToken.None));

        Assert.Contains($"Setting {setting} must be", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3750, 20_000)]
    [InlineData(5000, 25_000)]
    public async Task A_step_whose_longest_exchange_passes_the_hosts_margin_fails_the_start_naming_both(int stepMs, int marginMs)
    {
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(new InMemoryLine()), new() { ["stepTimeoutMs"] = stepMs, ["terminalMarginMs"] = marginMs });

        var e = await Assert.ThrowsAsync<ArgumentException>(() => plugin.StartAsync(context, CancellationToken.None));

        // 1 s of rounding + the answer's step + 4 steps of margin + 0.25 s for the closing EOT.
        Assert.Contains($"Setting stepTimeoutMs {stepMs} makes an exchange last up to the customer's time + {1250 + 5 * stepMs} ms, not within terminalMarginMs {marginMs}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3749, null)]
    [InlineData(5000, 30_000)]
    public async Task A_step_whose_longest_exchange_fits_the_hosts_margin_starts(int stepMs, int? marginMs)
    {
        var plugin = new TetraPlugin();
        var settings = new Dictionary<string, object> { ["stepTimeoutMs"] = stepMs };
        if (marginMs is { } margin)
        {
            settings["terminalMarginMs"] = margin;
        }

        await plugin.StartAsync(Context(new InMemoryLinkProvider(new InMemoryLine()), settings), CancellationToken.None);

        Assert.Equal(ReaderState.Empty, Assert.Single(plugin.GetTerminals()).State);
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_payment_whose_answer_fails_after_the_terminal_took_the_frame_is_outcome_unknown_and_the_frame_went_once()
    {
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line), new() { ["stepTimeoutMs"] = 200 }), CancellationToken.None);

        var payment = terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1.50m, "R1", TimeSpan.FromSeconds(1)), CancellationToken.None);
        Assert.Equal(Enq, await line.Terminal.ReadByteAsync(Wait));
        line.Terminal.Write([Ack]);
        await ReadFrameAsync(line);

        // No ACK: the terminal starts its answer at once, then falls silent.
        line.Terminal.Write([Enq]);
        var e = await Assert.ThrowsAsync<TerminalException>(() => payment.WaitAsync(Wait));

        Assert.False(e.RequestNotSent);
        var rest = await RestAsync(line);
        Assert.Equal(Ack, rest[0]);
        Assert.DoesNotContain(Stx, rest);
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_link_lost_after_the_payment_frame_went_out_is_outcome_unknown_and_not_started_over()
    {
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line), new() { ["stepTimeoutMs"] = 200 }), CancellationToken.None);

        var payment = terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1.50m, "R1", TimeSpan.FromSeconds(1)), CancellationToken.None);
        Assert.Equal(Enq, await line.Terminal.ReadByteAsync(Wait));
        line.Terminal.Write([Ack]);
        await ReadFrameAsync(line);
        line.Close();

        var e = await Assert.ThrowsAsync<TerminalException>(() => payment.WaitAsync(Wait));

        Assert.False(e.RequestNotSent);
        Assert.Contains("broke during the exchange", e.Message, StringComparison.Ordinal);

        // No new ENQ: the exchange did not start over on the reopened link.
        Assert.Empty(await RestAsync(line));
    }

    [Fact]
    public async Task A_start_over_after_a_link_lost_before_the_frame_keeps_the_exchanges_one_deadline()
    {
        // Steps of 0.2 s, 10 retries (a first write may wait 2.2 s for the link), a payment of 1 s: the answer waits
        // 1.2 s and the exchange has 1.2 s + 4 steps = 2 s. The link's first write fails after 1.5 s (the device went
        // away); the plugin starts over on it, and the terminal takes the request but never answers. With a fresh
        // deadline the start-over would wait the answer's whole 1.2 s (2.7 s in all).
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        var links = new OneLinkProvider(new FirstWriteFailsStream(line.Till, TimeSpan.FromSeconds(1.5)));
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line), new() { ["stepTimeoutMs"] = 200, ["retries"] = 10 }, links), CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var payment = terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1.50m, "R1", TimeSpan.FromSeconds(1)), CancellationToken.None);
        // The failed write may be followed by the best-effort EOT that ends a broken exchange (it reaches the line when
        // the dead link's next write goes through): the line reset, then the start-over's ENQ.
        var first = await line.Terminal.ReadByteAsync(Wait);
        Assert.Equal(Enq, first == Eot ? await line.Terminal.ReadByteAsync(Wait) : first);
        line.Terminal.Write([Ack]);
        await ReadFrameAsync(line);
        line.Terminal.Write([Ack]);

        var e = await Assert.ThrowsAsync<TerminalException>(() => payment.WaitAsync(Wait));

        Assert.Contains("deadline passed waiting for the terminal's answer: 2 s in all", e.Message, StringComparison.Ordinal);
        Assert.False(e.RequestNotSent);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.95), TimeSpan.FromSeconds(2.6));
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_plugin_is_terminal_tetra_and_opens_its_port_with_the_line_settings()
    {
        var links = new InMemoryLinkProvider(new InMemoryLine());
        var plugin = new TetraPlugin();

        await plugin.StartAsync(Context(links, new() { ["dataBits"] = 7, ["parity"] = (int)SerialParity.Even }), CancellationToken.None);

        Assert.Equal("terminal.tetra", plugin.Metadata.Id);
        var terminal = Assert.Single(plugin.GetTerminals());
        Assert.Equal(new ReaderDescriptor("Tetra 1", "terminal.tetra", [CardTechnology.Tetra], ReaderState.Empty), terminal with { Technologies = [.. terminal.Technologies] }, new DescriptorComparer());
        var (path, settings) = Assert.Single(links.Opened);
        Assert.Equal("/dev/ttyTETRA", path);
        Assert.Equal(new SerialLinkSettings { DataBits = 7, Parity = SerialParity.Even }, settings);
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_terminal_missing_at_start_leaves_the_plugin_started_and_the_terminal_unavailable()
    {
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(null));

        await plugin.StartAsync(context, CancellationToken.None);

        Assert.Equal(ReaderState.Unavailable, Assert.Single(plugin.GetTerminals()).State);
        Assert.Contains(context.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("not reachable at start", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<TerminalException>(() => ((ITerminalPlugin)plugin).ReadCardAsync("Tetra 1", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Contains("Cannot open /dev/ttyTETRA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_for_another_terminal_or_out_of_bounds_are_refused_before_the_link()
    {
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line)), CancellationToken.None);

        await Assert.ThrowsAsync<TerminalException>(() => terminal.ReadCardAsync("Tetra 2", TimeSpan.FromSeconds(1), CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.ReadCardAsync("Tetra 1", TimeSpan.Zero, CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 0m, "r", TimeSpan.FromSeconds(1)), CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1_000_000m, "r", TimeSpan.FromSeconds(1)), CancellationToken.None));
        await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1m, "r", TimeSpan.FromMinutes(11)), CancellationToken.None));

        // Nothing went out on the line, and each refusal says so.
        Assert.True((await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 2", 1m, "r", TimeSpan.FromSeconds(1)), CancellationToken.None))).RequestNotSent);
        Assert.True((await Assert.ThrowsAsync<TerminalException>(() => terminal.RefundAsync(new TerminalPaymentRequest("Tetra 1", 0.001m, "r", TimeSpan.FromSeconds(1)), CancellationToken.None))).RequestNotSent);
        Assert.Null(await line.Terminal.ReadByteAsync(TimeSpan.FromMilliseconds(200)));
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_payment_the_terminal_never_let_in_is_not_sent_and_says_so()
    {
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line), new() { ["stepTimeoutMs"] = 100, ["retries"] = 1 }), CancellationToken.None);

        // The terminal hears ENQ but never acknowledges it: the request frame never goes out.
        var e = await Assert.ThrowsAsync<TerminalException>(() => terminal.TakePaymentAsync(new TerminalPaymentRequest("Tetra 1", 1.50m, "R1", TimeSpan.FromSeconds(1)), CancellationToken.None).WaitAsync(Wait));

        Assert.True(e.RequestNotSent);
        Assert.DoesNotContain(Stx, await RestAsync(line));
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_refund_is_the_concert_request_with_the_credit_type_and_its_answer_is_read_like_a_payments()
    {
        var line = new InMemoryLine();
        var plugin = new TetraPlugin();
        ITerminalPlugin terminal = plugin;
        await plugin.StartAsync(Context(new InMemoryLinkProvider(line), new() { ["stepTimeoutMs"] = 500, ["tillNumber"] = 14 }), CancellationToken.None);

        var refund = terminal.RefundAsync(new TerminalPaymentRequest("Tetra 1", 3.30m, "1234567890abcdef", TimeSpan.FromSeconds(2)), CancellationToken.None);
        Assert.Equal(Enq, await line.Terminal.ReadByteAsync(Wait));
        line.Terminal.Write([Ack]);
        var frame = await ReadFrameAsync(line);
        line.Terminal.Write([Ack]);
        Assert.Equal(Eot, await line.Terminal.ReadByteAsync(Wait));
        var message = System.Text.Encoding.ASCII.GetString([.. frame.Skip(1).Take(frame.Count - 3)]);
        Assert.Equal("14" + "00000330", message[..10]);
        Assert.Equal('1', message[12]); // type 1: credit
        Assert.Equal("7890abcdef", message[16..26]);

        // Accepted, the short answer echoing till, amount and private data.
        var answer = "14" + "0" + "00000330" + "1" + "978" + "7890abcdef";
        line.Terminal.Write([Enq]);
        Assert.Equal(Ack, await line.Terminal.ReadByteAsync(Wait));
        var body = System.Text.Encoding.ASCII.GetBytes(answer);
        var lrc = (byte)(body.Aggregate((byte)0, (a, b) => (byte)(a ^ b)) ^ Etx);
        line.Terminal.Write([Stx, .. body, Etx, lrc]);
        Assert.Equal(Ack, await line.Terminal.ReadByteAsync(Wait));
        line.Terminal.Write([Eot]);

        var result = await refund.WaitAsync(Wait);
        Assert.Equal((TerminalPaymentOutcome.Accepted, 3.30m), (result.Outcome, result.Amount));
        await plugin.StopAsync(CancellationToken.None);
    }

    private static async Task<List<byte>> ReadFrameAsync(InMemoryLine line)
    {
        var frame = new List<byte>();
        while (frame.Count < 2 || frame[^2] != Etx)
        {
            var b = await line.Terminal.ReadByteAsync(Wait);
            Assert.True(b.HasValue, $"the request frame stopped after {frame.Count} bytes");
            frame.Add(b.Value);
        }

        Assert.Equal(Stx, frame[0]);
        return frame;
    }

    /// <summary>Every byte the plugin sends until the line has been quiet for 1 s.</summary>
    private static async Task<List<byte>> RestAsync(InMemoryLine line)
    {
        var rest = new List<byte>();
        while (await line.Terminal.ReadByteAsync(TimeSpan.FromSeconds(1)) is { } b)
        {
            rest.Add(b);
        }

        return rest;
    }

    private static TestPluginContext Context(InMemoryLinkProvider links, Dictionary<string, object>? extra = null, ISerialLinkProvider? instead = null)
    {
        var settings = new Dictionary<string, object> { ["port"] = "/dev/ttyTETRA", ["terminalName"] = "Tetra 1" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new TestPluginContext(JsonSerializer.SerializeToElement(settings), instead ?? links);
    }

    private sealed class OneLinkProvider(Stream link) : ISerialLinkProvider
    {
        public IReadOnlyList<string> ListPorts() => [];

        public Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken) => Task.FromResult(link);
    }

    /// <summary>The host's link after an unplug: the first write waits for the device, then fails; the link is back.</summary>
    private sealed class FirstWriteFailsStream(Stream inner, TimeSpan after) : Stream
    {
        private int _writes;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _writes) == 1)
            {
                await Task.Delay(after, cancellationToken);
                throw new IOException("The device went away.");
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class DescriptorComparer : IEqualityComparer<ReaderDescriptor>
    {
        public bool Equals(ReaderDescriptor? x, ReaderDescriptor? y) =>
            x is not null && y is not null && x.Name == y.Name && x.PluginId == y.PluginId && x.State == y.State && x.Technologies.SequenceEqual(y.Technologies);

        public int GetHashCode(ReaderDescriptor obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
