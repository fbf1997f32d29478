using System.Text.Json;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra;
using Middleware.Tetra.Tests.Support;
using static Middleware.Tetra.Tests.Support.ScriptedTerminal;

namespace Middleware.Tetra.Tests.Plugin;

/// <summary>
/// The plugin keeps one line state per link: reads after a clean one skip the drain, and whenever the link may have
/// been away (a stop and start, a link the SDK base dropped and opened anew, the start-over after a lost link) the next
/// read drains again, so that a late answer of another customer's card is never taken for this read's.
/// </summary>
public sealed class TetraPluginLineTests
{
    private const string Card = "ZDC=00123456789ABCDEF04A1B2C3D4E5F6000000036000000";

    /// <summary>A late answer to an earlier read: the ACK and the whole answer, another customer's card.</summary>
    private static readonly byte[] LateAnswer = [Ack, Enq, .. Frame("ZDC=00123456789ABCDEF04A1B2C3D4E5F6000000099999999"), Eot];

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long the link must stay silent after its ENQ when the stale ACK was drained (the step is 3 s).</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task After_a_clean_read_the_next_skips_the_drain_and_after_a_stop_and_start_it_drains_again()
    {
        var line = new InMemoryLine();
        var terminal = new ScriptedTerminal(line.Terminal);
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(line));
        await plugin.StartAsync(context, CancellationToken.None);
        await CleanReadAsync(plugin, terminal);

        // Skipped: a stale ACK is taken for the answer to ENQ, the request frame follows at once.
        terminal.Send(Ack);
        var read = Read(plugin);
        await terminal.ExpectAsync(Enq);
        await terminal.ExpectFrameAsync();
        terminal.Send(Ack);
        await terminal.ExpectAsync(Eot);
        await terminal.AnswerAsync(Card);
        Assert.Equal("36000000", (await read.WaitAsync(Wait)).IdSupport);

        // The same link is handed back after a restart, and the terminal spoke meanwhile.
        await plugin.StopAsync(CancellationToken.None);
        await plugin.StartAsync(context, CancellationToken.None);
        terminal.Send(LateAnswer);

        await ExpectDrainedReadAsync(plugin, terminal);
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_link_the_base_opened_anew_after_a_broken_one_starts_by_draining()
    {
        var first = new InMemoryLine();
        var second = new InMemoryLine();
        var links = new LinesProvider(first, second);
        var plugin = new TetraPlugin();
        await plugin.StartAsync(Context(new InMemoryLinkProvider(first), instead: links), CancellationToken.None);
        await CleanReadAsync(plugin, new ScriptedTerminal(first.Terminal));

        // The device goes away: the read fails and the base drops the link.
        first.Close();
        var e = await Assert.ThrowsAsync<TerminalException>(() => Read(plugin).WaitAsync(Wait));
        Assert.Contains("broke during the exchange", e.Message, StringComparison.Ordinal);

        // It is back on a new link, with a late answer on its line.
        var terminal = new ScriptedTerminal(second.Terminal);
        terminal.Send(LateAnswer);
        await ExpectDrainedReadAsync(plugin, terminal);
        Assert.Equal(2, links.Opens);
        await plugin.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_start_over_after_a_link_lost_on_the_first_enq_drains_what_came_meanwhile()
    {
        var line = new InMemoryLine();
        var terminal = new ScriptedTerminal(line.Terminal);
        var link = new FailingWritesStream(line.Till);
        var plugin = new TetraPlugin();
        var context = Context(new InMemoryLinkProvider(line), instead: new OneLinkProvider(link));
        await plugin.StartAsync(context, CancellationToken.None);
        await CleanReadAsync(plugin, terminal);

        // The device went away and came back (the host's link reopened it): the first ENQ fails, and the terminal's
        // late answer is on the line. The first attempt skipped the drain (the line was clean); the start-over must not.
        terminal.Send(LateAnswer);
        link.FailNextWrite();

        await ExpectDrainedReadAsync(plugin, terminal);
        Assert.Contains(context.Lines, l => l.Contains("starting over when it is back", StringComparison.Ordinal));
        await plugin.StopAsync(CancellationToken.None);
    }

    private static async Task CleanReadAsync(TetraPlugin plugin, ScriptedTerminal terminal)
    {
        var read = Read(plugin);
        Assert.StartsWith("ZDC?01005", await terminal.AcceptRequestAsync(), StringComparison.Ordinal);
        await terminal.AnswerAsync(Card);
        Assert.Equal("36000000", (await read.WaitAsync(Wait)).IdSupport);
    }

    /// <summary>The read drains the late answer first: its ENQ waits for the terminal's own ACK, and the card is this
    /// read's, not the late answer's.</summary>
    private static async Task ExpectDrainedReadAsync(TetraPlugin plugin, ScriptedTerminal terminal)
    {
        var read = Read(plugin);
        await terminal.ExpectAsync(Enq);
        await terminal.ExpectSilenceAsync(Quiet);
        terminal.Send(Ack);
        await terminal.ExpectFrameAsync();
        terminal.Send(Ack);
        await terminal.ExpectAsync(Eot);
        await terminal.AnswerAsync(Card);

        Assert.Equal("36000000", (await read.WaitAsync(Wait)).IdSupport);
    }

    private static Task<CardIdentity> Read(TetraPlugin plugin) =>
        ((ITerminalPlugin)plugin).ReadCardAsync("Tetra 1", ReadTimeout, CancellationToken.None);

    private static TestPluginContext Context(InMemoryLinkProvider links, ISerialLinkProvider? instead = null)
    {
        var settings = new Dictionary<string, object> { ["port"] = "/dev/ttyTETRA", ["terminalName"] = "Tetra 1", ["tillNumber"] = 1 };
        return new TestPluginContext(JsonSerializer.SerializeToElement(settings), instead ?? links);
    }

    /// <summary>Hands out the next line at each open, as the host's link service does a new stream after a drop.</summary>
    private sealed class LinesProvider(params InMemoryLine[] lines) : ISerialLinkProvider
    {
        public int Opens { get; private set; }

        public IReadOnlyList<string> ListPorts() => [];

        public Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(lines[Opens++].Till);
    }

    private sealed class OneLinkProvider(Stream link) : ISerialLinkProvider
    {
        public IReadOnlyList<string> ListPorts() => [];

        public Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken) => Task.FromResult(link);
    }

    /// <summary>The host's link across an unplug: the write after <see cref="FailNextWrite"/> fails, the link is back.</summary>
    private sealed class FailingWritesStream(Stream inner) : Stream
    {
        private int _fail;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void FailNextWrite() => Volatile.Write(ref _fail, 1);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _fail, 0) == 1)
            {
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
}
