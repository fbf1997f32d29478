using Middleware.Tests.Serial;
using System.Diagnostics;
using Middleware.Contracts.Readers;
using Middleware.Tetra.Tests.Support;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Tetra.Tests.Simulator;

/// <summary>
/// The plugin on the host's serial link, through a real socat pty pair, against the simulated terminal: every
/// behaviour ends in the right result or a clear error within its budget (steps of 2 s here, so that a loaded machine's
/// stall is no unscripted retry), never a hang.
/// </summary>
public sealed class TetraOnPtyTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(2);

    /// <summary>Scheduling slack on a loaded 2-core machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    [SocatFact]
    public async Task A_card_present_is_read_with_every_field_and_the_request_is_as_documented()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { IdSupport = "36000001", SamId = "00112233445566FF", NumeroApplicatif = "04A1B2C3D4E5F6" });
        var clock = Stopwatch.StartNew();

        var card = await bench.ReadAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(new CardIdentity("36000001", "04A1B2C3D4E5F6", CardTechnology.Tetra, TetraBench.TerminalName, "00112233445566FF", true), card);
        Assert.Equal(["ZDC?01005"], bench.Simulator.Requests);
        Assert.True(clock.Elapsed < Slack, $"took {clock.Elapsed}");
        Assert.Contains(bench.Context.Lines, l => l.Contains("read card ****0001", StringComparison.Ordinal));
        Assert.DoesNotContain(bench.Context.Lines, l => l.Contains("36000001", StringComparison.Ordinal));
    }

    [SocatFact]
    public async Task A_card_absent_is_a_timeout_once_the_reads_own_time_is_over()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<CardReadException>(() => bench.ReadAsync(TimeSpan.FromSeconds(2)));

        Assert.Equal(CardReadError.Timeout, e.Error);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(2) + Step + Slack);
    }

    [SocatTheory]
    [InlineData(TetraCardBehaviour.NotIzlyCard, CardReadError.NotAnIzlyCard)]
    [InlineData(TetraCardBehaviour.SamError, CardReadError.SamError)]
    public async Task A_card_the_terminal_cannot_read_is_named(TetraCardBehaviour behaviour, CardReadError error)
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Card = behaviour });

        var e = await Assert.ThrowsAsync<CardReadException>(() => bench.ReadAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(error, e.Error);
    }

    [SocatTheory]
    [InlineData(TetraLineBehaviour.CorruptLrc, "answer frame was unreadable 4 times (last: LRC", 4)]
    [InlineData(TetraLineBehaviour.Garbage, "answer frame was unreadable 4 times (last: a frame longer than 256", 4)]
    [InlineData(TetraLineBehaviour.NakRequests, "refused the request frame (NAK) 4 times", 1)]
    [InlineData(TetraLineBehaviour.Silent, "did not answer ENQ with ACK (4 attempts, 2 s each)", 4)]
    [InlineData(TetraLineBehaviour.TruncatedAnswer, "has 49 characters, not 50", 1)]
    public async Task A_faulty_line_is_a_clear_terminal_error_within_its_budget(TetraLineBehaviour line, string message, int steps)
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Line = line });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<TerminalException>(() => bench.ReadAsync(TimeSpan.FromSeconds(5)));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < steps * Step + Slack, $"took {clock.Elapsed}");

        // The terminal comes right: the next read works on the same link.
        bench.Simulator.SetBehaviour(new TetraBehaviour());
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
    }

    [SocatFact]
    public async Task A_slow_answer_within_the_reads_time_is_taken()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Line = TetraLineBehaviour.Slow, SlowDelay = TimeSpan.FromSeconds(1.5) });
        var clock = Stopwatch.StartNew();

        var card = await bench.ReadAsync(TimeSpan.FromSeconds(3));

        Assert.Equal("36000001", card.IdSupport);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.4), $"took {clock.Elapsed}");
    }

    [SocatFact]
    public async Task An_answer_slower_than_the_reads_time_and_a_step_is_a_clear_error_in_that_time()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Line = TetraLineBehaviour.Slow, SlowDelay = TimeSpan.FromSeconds(20) });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<TerminalException>(() => bench.ReadAsync(TimeSpan.FromSeconds(1)));

        // The read's 1 s, then one step.
        Assert.Contains("sent no answer within 3 s", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(3) + Slack);

        // The EOT that ended the exchange stopped the terminal's wait: the next request is answered.
        bench.Simulator.SetBehaviour(new TetraBehaviour());
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
    }

    [SocatTheory]
    [InlineData(TetraPaymentBehaviour.Accepted, TerminalPaymentOutcome.Accepted, "12.34")]
    [InlineData(TetraPaymentBehaviour.Refused, TerminalPaymentOutcome.Refused, "12.34")]
    [InlineData(TetraPaymentBehaviour.NotCompleted, TerminalPaymentOutcome.NotCompleted, "0")]
    public async Task A_payment_ends_as_the_terminal_says_with_its_report_masked(TetraPaymentBehaviour behaviour, TerminalPaymentOutcome outcome, string amount)
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Payment = behaviour });

        var result = await bench.PayAsync(12.34m, "S-2026-000042");

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), result.Amount);
        Assert.Equal("CB ************0003 1227 AUTO 123456 TETRA SIM", result.Report);
        Assert.Equal(["01" + "00001234" + "1" + "1" + "0" + "978" + "2026000042" + "A010" + "B010"], bench.Simulator.Requests);
    }

    [SocatFact]
    public async Task A_short_payment_answer_has_no_report_when_the_settings_ask_none()
    {
        await using var bench = await TetraBench.StartAsync(extraSettings: new() { ["fullPaymentReport"] = false });

        var result = await bench.PayAsync(0.5m);

        Assert.Equal(new TerminalPaymentResult(TerminalPaymentOutcome.Accepted, 0.5m, null), result);
        Assert.Equal('0', bench.Simulator.Requests.Single()[10]);
    }

    [SocatFact]
    public async Task A_second_request_while_one_runs_is_refused_at_once_as_busy()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent });
        var first = bench.ReadAsync(TimeSpan.FromSeconds(3));
        await TetraBench.WaitUntilAsync(() => bench.Simulator.Requests.Count == 1, "the first request reaches the terminal");
        var clock = Stopwatch.StartNew();

        var read = await Assert.ThrowsAsync<TerminalException>(() => bench.ReadAsync(TimeSpan.FromSeconds(3)));
        var pay = await Assert.ThrowsAsync<TerminalException>(() => bench.PayAsync(1m));

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"took {clock.Elapsed}");
        Assert.Contains("busy", read.Message, StringComparison.Ordinal);
        Assert.Contains("busy", pay.Message, StringComparison.Ordinal);
        Assert.Equal(CardReadError.Timeout, (await Assert.ThrowsAsync<CardReadException>(() => first)).Error);
        Assert.Single(bench.Simulator.Requests);

        bench.Simulator.SetBehaviour(new TetraBehaviour());
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(3))).IdSupport);
    }

    [SocatFact]
    public async Task A_cancel_stops_the_wait_at_once_and_the_next_request_starts_afresh()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent });
        using var cancel = new CancellationTokenSource();
        var read = bench.ReadAsync(TimeSpan.FromSeconds(60), cancel.Token);
        await TetraBench.WaitUntilAsync(() => bench.Simulator.Requests.Count == 1, "the request reaches the terminal");
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");

        // The terminal had 60 s to wait: only the EOT lets it take the next request now.
        bench.Simulator.SetBehaviour(new TetraBehaviour());
        clock.Restart();
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
        Assert.True(clock.Elapsed < Slack, $"took {clock.Elapsed}");
        Assert.Equal(2, bench.Simulator.Requests.Count);
    }

    [SocatFact]
    public async Task Stopping_the_plugin_during_a_read_ends_the_read_with_the_contracts_error()
    {
        await using var bench = await TetraBench.StartAsync();
        bench.Simulator.SetBehaviour(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent });
        var read = bench.ReadAsync(TimeSpan.FromSeconds(60));
        await TetraBench.WaitUntilAsync(() => bench.Simulator.Requests.Count == 1, "the request reaches the terminal");

        await bench.Plugin.StopAsync(CancellationToken.None).WaitAsync(TetraBench.Deadline);

        // Never an ObjectDisposedException or the context's InvalidOperationException: the host counts those against
        // the plugin.
        var e = await Record.ExceptionAsync(() => read.WaitAsync(TetraBench.Deadline));
        Assert.True(e is TerminalException or OperationCanceledException, $"the read ended with {e?.GetType().Name}: {e?.Message}");
    }

    [SocatFact]
    public async Task After_an_unplug_and_a_replug_the_link_comes_back_and_the_next_read_works()
    {
        await using var bench = await TetraBench.StartAsync();
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);

        await bench.Simulator.UnplugAsync();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TerminalException>(() => bench.ReadAsync(TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < 4 * Step + Slack, $"an unplugged terminal took {clock.Elapsed} to fail ({e.Message})");
        Assert.Equal(ReaderState.Unavailable, bench.Terminal.GetTerminals().Single().State);

        await bench.Simulator.PlugAsync();
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
        Assert.Equal(ReaderState.Empty, bench.Terminal.GetTerminals().Single().State);
    }

    [SocatFact]
    public async Task A_replug_between_two_reads_costs_no_read()
    {
        await using var bench = await TetraBench.StartAsync();
        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);

        await bench.Simulator.UnplugAsync();
        await bench.Simulator.PlugAsync();

        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
    }

    [SocatFact]
    public async Task A_7E1_line_setting_opens_and_reads()
    {
        await using var bench = await TetraBench.StartAsync(extraSettings: new() { ["dataBits"] = 7, ["parity"] = (int)SerialParity.Even });

        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
    }

    [SocatFact]
    public async Task At_the_default_step_timeouts_a_read_and_a_payment_work_and_a_silent_terminal_fails_after_four_3s_steps()
    {
        await using var bench = await TetraBench.StartAsync(stepMs: null);

        Assert.Equal("36000001", (await bench.ReadAsync(TimeSpan.FromSeconds(5))).IdSupport);
        Assert.Equal(TerminalPaymentOutcome.Accepted, (await bench.PayAsync(3.2m)).Outcome);

        bench.Simulator.SetBehaviour(new TetraBehaviour { Line = TetraLineBehaviour.Silent });
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TerminalException>(() => bench.ReadAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("(4 attempts, 3 s each)", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(11.9), TimeSpan.FromSeconds(12) + Slack);
    }
}
