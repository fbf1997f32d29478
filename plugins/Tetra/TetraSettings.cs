using Middleware.Plugins.Tetra.Link;

namespace Middleware.Plugins.Tetra;

/// <summary>
/// The plugin's own <c>settings</c> in <c>plugins.json</c>, beside the SDK's link settings (<c>port</c>,
/// <c>terminalName</c>, <c>baudRate</c>, <c>dataBits</c>, <c>parity</c>, <c>stopBits</c>), e.g.
/// <c>{ "port": "/dev/ttyACM0", "tillNumber": 1, "stepTimeoutMs": 3000, "retries": 3 }</c>.
/// The step must keep the longest exchange within the host's margin (<see cref="TerminalMarginMs"/>).
/// </summary>
internal sealed class TetraSettings
{
    /// <summary>The till number sent in every request (2 digits). Default 1.</summary>
    public int TillNumber { get; set; } = 1;

    /// <summary>Each protocol step (an ACK, a frame, the EOT). Default 3000 ms (<c>cards.md</c> §7).</summary>
    public int StepTimeoutMs { get; set; } = 3000;

    /// <summary>How many times ENQ or the request frame is sent again after a NAK or no reply, and a bad answer frame
    /// asked again with NAK: default 3, so up to 3 resends and 4 sends in all (fewer when the exchange's deadline comes
    /// first).</summary>
    public int Retries { get; set; } = 3;

    /// <summary>The host's <c>CardReaders:TerminalMargin</c> in ms (default 20000, the host's default): what the host
    /// adds to the customer's time before it gives up on a terminal call. A plugin cannot read the host's settings, so a
    /// site that changes that margin sets this one alike; it only checks <see cref="StepTimeoutMs"/> against it.</summary>
    public int TerminalMarginMs { get; set; } = 20_000;

    /// <summary>Ask card payments for the full answer with the terminal's report. Default true.</summary>
    public bool FullPaymentReport { get; set; } = true;

    /// <summary>The checked values; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedTetraSettings Validate()
    {
        if (TillNumber is < 0 or > 99)
        {
            throw new ArgumentException($"Setting tillNumber must be 0..99, not {TillNumber}.");
        }

        if (StepTimeoutMs is < 50 or > 60_000)
        {
            throw new ArgumentException($"Setting stepTimeoutMs must be 50..60000, not {StepTimeoutMs}.");
        }

        if (Retries is < 0 or > 10)
        {
            throw new ArgumentException($"Setting retries must be 0..10, not {Retries}.");
        }

        if (TerminalMarginMs is < 1_000 or > 600_000)
        {
            throw new ArgumentException($"Setting terminalMarginMs must be 1000..600000, not {TerminalMarginMs}.");
        }

        var link = new ConcertLinkOptions(TimeSpan.FromMilliseconds(StepTimeoutMs), Retries);
        var margin = TimeSpan.FromMilliseconds(TerminalMarginMs);
        var past = LongestPastCustomerTime(link);
        if (past >= margin)
        {
            // Past the host's margin the host reports a timeout while the link still works: the till hears the wrong error.
            throw new ArgumentException(
                $"Setting stepTimeoutMs {StepTimeoutMs} makes an exchange last up to the customer's time + {past.TotalMilliseconds:0} ms, "
                + $"not within terminalMarginMs {TerminalMarginMs} (the host's CardReaders:TerminalMargin): "
                + $"lower stepTimeoutMs below {MaxStepMs(margin)} ms or raise both margins.");
        }

        return new ValidatedTetraSettings(TillNumber, link, FullPaymentReport);
    }

    // The answer waits the customer's time (a card read's rounded up to whole seconds: under 1 s more) plus one step
    // (TetraPlugin), then the exchange's deadline adds its margin and the closing EOT (ExchangeDeadline.Longest).
    private static TimeSpan LongestPastCustomerTime(ConcertLinkOptions link) =>
        ExchangeDeadline.Longest(TimeSpan.FromSeconds(1) + link.StepTimeout, link);

    private static int MaxStepMs(TimeSpan margin) =>
        (int)((margin - TimeSpan.FromSeconds(1) - ConcertLink.EndBudget).TotalMilliseconds / (ExchangeDeadline.MarginSteps + 1));
}
