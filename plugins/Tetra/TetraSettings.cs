using Middleware.Plugins.Tetra.Link;

namespace Middleware.Plugins.Tetra;

/// <summary>
/// The plugin's own <c>settings</c> in <c>plugins.json</c>, beside the SDK's link settings (<c>port</c>,
/// <c>terminalName</c>, <c>baudRate</c>, <c>dataBits</c>, <c>parity</c>, <c>stopBits</c>), e.g.
/// <c>{ "port": "/dev/ttyACM0", "tillNumber": 1, "stepTimeoutMs": 3000, "retries": 3 }</c>.
/// </summary>
internal sealed class TetraSettings
{
    /// <summary>The till number sent in every request (2 digits). Default 1.</summary>
    public int TillNumber { get; set; } = 1;

    /// <summary>Each protocol step (an ACK, a frame, the EOT). Default 3000 ms (<c>cards.md</c> §7).</summary>
    public int StepTimeoutMs { get; set; } = 3000;

    /// <summary>Sends again after a NAK or a missing ACK, and asks a bad answer frame again. Default 3.</summary>
    public int Retries { get; set; } = 3;

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

        return new ValidatedTetraSettings(TillNumber, new ConcertLinkOptions(TimeSpan.FromMilliseconds(StepTimeoutMs), Retries), FullPaymentReport);
    }
}
