using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra.Link;
using Middleware.Tetra.Tests.Support;
using static Middleware.Tetra.Tests.Support.ScriptedTerminal;

namespace Middleware.Tetra.Tests.Link;

/// <summary>
/// The drain rule on an in-memory line: an exchange skips the drain only after one that ended clean (the terminal's EOT
/// right after our ACK of its whole answer, everything as scripted). The proofs are bytes, not times: a stale ACK left
/// on the line is taken for the terminal's answer to ENQ when the drain is skipped, and eaten when it runs.
/// </summary>
public sealed class ConcertLineStateTests
{
    /// <summary>The step of the exchanges whose ending the test waits for (a timeout, a missing EOT).</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);

    /// <summary>The step of the exchange under test: far longer than <see cref="Quiet"/>, so that no ENQ retry falls
    /// in it on a loaded machine.</summary>
    private static readonly TimeSpan RelaxedStep = TimeSpan.FromSeconds(3);

    /// <summary>How long the link must stay silent after its ENQ when the stale ACK was drained.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    /// <summary>A late answer to an earlier request: the ACK and the whole answer of another customer's card.</summary>
    private static readonly byte[] LateAnswer = [Ack, Enq, .. Frame("ZDC=0OLDCARD"), Eot];

    private readonly InMemoryLine _line = new();
    private readonly ConcertLineState _state = new();
    private readonly ScriptedTerminal _terminal;

    public ConcertLineStateTests()
    {
        _terminal = new ScriptedTerminal(_line.Terminal);
    }

    public enum Ending
    {
        AnswerTimedOut,
        Cancelled,
        EotMissing,
        AnswerNaked,
        AnswerFrameRepeated,
        RequestNaked,
        EnqUnanswered,
        RequestEndedByTerminal,
    }

    [Fact]
    public async Task After_a_clean_exchange_the_next_sends_enq_without_draining()
    {
        await CleanExchangeAsync();

        // A byte the drain would eat: skipped, it is taken for the ACK to ENQ and the request frame follows at once.
        _terminal.Send(Ack);
        var next = Exchange("REQ2", TimeSpan.FromSeconds(2), RelaxedStep);

        await _terminal.ExpectAsync(Enq);
        Assert.Equal("REQ2", await _terminal.ExpectFrameAsync());
        _terminal.Send(Ack);
        await _terminal.ExpectAsync(Eot);
        await _terminal.AnswerAsync("TWO");
        Assert.Equal("TWO", await next.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_link_without_a_line_state_always_drains()
    {
        await CleanExchangeAsync();
        _terminal.Send(LateAnswer);

        var next = new ConcertLink(_line.Till, new ConcertLinkOptions(RelaxedStep, Retries: 3), TimeProvider.System)
            .ExchangeAsync("REQ2", TimeSpan.FromSeconds(2), CancellationToken.None);

        await ExpectDrainedThenAnsweredAsync(next);
    }

    [Theory]
    [InlineData(Ending.AnswerTimedOut)]
    [InlineData(Ending.Cancelled)]
    [InlineData(Ending.EotMissing)]
    [InlineData(Ending.AnswerNaked)]
    [InlineData(Ending.AnswerFrameRepeated)]
    [InlineData(Ending.RequestNaked)]
    [InlineData(Ending.EnqUnanswered)]
    [InlineData(Ending.RequestEndedByTerminal)]
    public async Task After_an_exchange_that_did_not_end_clean_a_late_answer_is_drained_not_taken(Ending ending)
    {
        // The line was clean before: the unclean exchange must clear it, not merely leave it alone.
        await CleanExchangeAsync();
        await UncleanExchangeAsync(ending);

        // Everything the unclean exchange sent is read; then the terminal's late answer is on the line.
        await _terminal.RestAsync(TimeSpan.FromMilliseconds(100));
        _terminal.Send(LateAnswer);
        var next = Exchange("REQ2", TimeSpan.FromSeconds(2), RelaxedStep);

        await ExpectDrainedThenAnsweredAsync(next);
    }

    [Fact]
    public async Task A_clean_exchange_after_an_unclean_one_makes_the_line_clean_again()
    {
        await CleanExchangeAsync();
        await UncleanExchangeAsync(Ending.EotMissing);
        await CleanExchangeAsync();

        _terminal.Send(Ack);
        var next = Exchange("REQ2", TimeSpan.FromSeconds(2), RelaxedStep);
        await _terminal.ExpectAsync(Enq);
        Assert.Equal("REQ2", await _terminal.ExpectFrameAsync());
        _terminal.Send(Ack);
        await _terminal.ExpectAsync(Eot);
        await _terminal.AnswerAsync("TWO");
        Assert.Equal("TWO", await next.WaitAsync(Wait));
    }

    private async Task ExpectDrainedThenAnsweredAsync(Task<string> next)
    {
        await _terminal.ExpectAsync(Enq);

        // The stale ACK was drained: the request frame waits for the terminal's own ACK.
        await _terminal.ExpectSilenceAsync(Quiet);
        _terminal.Send(Ack);
        Assert.Equal("REQ2", await _terminal.ExpectFrameAsync());
        _terminal.Send(Ack);
        await _terminal.ExpectAsync(Eot);
        await _terminal.AnswerAsync("NEW");

        Assert.Equal("NEW", await next.WaitAsync(Wait));
    }

    private async Task CleanExchangeAsync()
    {
        var exchange = Exchange("REQ", TimeSpan.FromSeconds(2), RelaxedStep);
        Assert.Equal("REQ", await _terminal.AcceptRequestAsync());
        await _terminal.AnswerAsync("CLEAN");
        Assert.Equal("CLEAN", await exchange.WaitAsync(Wait));
    }

    private async Task UncleanExchangeAsync(Ending ending)
    {
        switch (ending)
        {
            case Ending.AnswerTimedOut:
            {
                var exchange = Exchange("REQ1", TimeSpan.FromMilliseconds(600), Step);
                await _terminal.AcceptRequestAsync();
                await Assert.ThrowsAsync<TerminalException>(() => exchange.WaitAsync(Wait));
                break;
            }

            case Ending.Cancelled:
            {
                using var cancel = new CancellationTokenSource();
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(30), RelaxedStep, cancel.Token);
                await _terminal.AcceptRequestAsync();
                await cancel.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exchange.WaitAsync(Wait));
                break;
            }

            case Ending.EotMissing:
            {
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(2), Step);
                await _terminal.AcceptRequestAsync();
                _terminal.Send(Enq);
                await _terminal.ExpectAsync(Ack);
                _terminal.Send(Frame("ONE"));
                await _terminal.ExpectAsync(Ack);
                Assert.Equal("ONE", await exchange.WaitAsync(Wait));
                break;
            }

            case Ending.AnswerNaked:
            {
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(2), RelaxedStep);
                await _terminal.AcceptRequestAsync();
                _terminal.Send(Enq);
                await _terminal.ExpectAsync(Ack);
                var bad = Frame("ONE");
                bad[^1] ^= 0x01;
                _terminal.Send(bad);
                await _terminal.ExpectAsync(Nak);
                _terminal.Send(Frame("ONE"));
                await _terminal.ExpectAsync(Ack);
                _terminal.Send(Eot);
                Assert.Equal("ONE", await exchange.WaitAsync(Wait));
                break;
            }

            case Ending.AnswerFrameRepeated:
            {
                // The terminal did not hear our ACK and sends its frame again before its EOT.
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(2), RelaxedStep);
                await _terminal.AcceptRequestAsync();
                _terminal.Send(Enq);
                await _terminal.ExpectAsync(Ack);
                _terminal.Send(Frame("ONE"));
                await _terminal.ExpectAsync(Ack);
                _terminal.Send([.. Frame("ONE"), Eot]);
                Assert.Equal("ONE", await exchange.WaitAsync(Wait));
                break;
            }

            case Ending.RequestNaked:
            {
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(2), RelaxedStep);
                await _terminal.ExpectAsync(Enq);
                _terminal.Send(Ack);
                await _terminal.ExpectFrameAsync();
                _terminal.Send(Nak);
                await _terminal.ExpectFrameAsync();
                _terminal.Send(Ack);
                await _terminal.ExpectAsync(Eot);
                await _terminal.AnswerAsync("ONE");
                Assert.Equal("ONE", await exchange.WaitAsync(Wait));
                break;
            }

            case Ending.EnqUnanswered:
            {
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(2), Step);
                await _terminal.ExpectAsync(Enq);
                await _terminal.ExpectAsync(Enq);
                _terminal.Send(Ack);
                await _terminal.ExpectFrameAsync();
                _terminal.Send(Ack);
                await _terminal.ExpectAsync(Eot);
                await _terminal.AnswerAsync("ONE");
                Assert.Equal("ONE", await exchange.WaitAsync(Wait));
                break;
            }

            case Ending.RequestEndedByTerminal:
            {
                // The terminal's ACK to the request frame is lost; it ends the request's half with its own EOT.
                var exchange = Exchange("REQ1", TimeSpan.FromSeconds(2), RelaxedStep);
                await _terminal.ExpectAsync(Enq);
                _terminal.Send(Ack);
                await _terminal.ExpectFrameAsync();
                _terminal.Send(Eot);
                await _terminal.AnswerAsync("ONE");
                Assert.Equal("ONE", await exchange.WaitAsync(Wait));
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(ending));
        }
    }

    private Task<string> Exchange(string request, TimeSpan answerWait, TimeSpan step, CancellationToken cancellationToken = default) =>
        new ConcertLink(_line.Till, new ConcertLinkOptions(step, Retries: 3), TimeProvider.System, _state).ExchangeAsync(request, answerWait, cancellationToken);
}
