using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Middleware.Payments.Chaos;

/// <summary>
/// Chaos testing only (configuration section <c>Chaos</c>): makes the process die abruptly at one named point of the
/// payment path, as a power cut or <c>kill -9</c> would, so that tests can prove that a restart finishes the sale without
/// paying twice. Off by default; never set it in production.
/// </summary>
public sealed class ChaosOptions
{
    /// <summary>One of the <see cref="CrashPoints"/> constants, or null (default): no crash.</summary>
    public string? CrashPoint { get; set; }
}

/// <summary>The named crash points of the payment path (see <see cref="ChaosOptions"/>).</summary>
public sealed partial class CrashPoints(IOptions<ChaosOptions> options, ILogger<CrashPoints> logger)
{
    /// <summary>Izly answered the debit (the money is taken) and the journal has not recorded the answer yet.</summary>
    public const string AfterIzlyDebit = "AfterIzlyDebit";

    /// <summary>The journal recorded the debit as approved; the sale is not marked paid yet.</summary>
    public const string AfterDebitJournaled = "AfterDebitJournaled";

    /// <summary>The sale is paid; its ticket is not in the outbox yet.</summary>
    public const string BeforeTicketCommit = "BeforeTicketCommit";

    /// <summary>A refund is made and recorded in the journal; its refund ticket (RB) is not in the outbox yet.</summary>
    public const string AfterRefundJournaled = "AfterRefundJournaled";

    private readonly string? _armed = options.Value.CrashPoint;

    /// <summary>Kills this process with SIGKILL (no finally block, no flush, no graceful stop) when <paramref name="point"/> is armed.</summary>
    public void Hit(string point)
    {
        if (_armed is null || !string.Equals(_armed, point, StringComparison.Ordinal))
        {
            return;
        }

        LogCrashing(logger, point);
        using var self = Process.GetCurrentProcess();
        self.Kill();
        // Kill delivers SIGKILL to ourselves; should it ever return, die without unwinding anyway.
        Environment.FailFast($"Chaos crash point {point}.");
    }

    [LoggerMessage(LogLevel.Critical, "Chaos: killing the process at crash point {Point}")]
    private static partial void LogCrashing(ILogger logger, string point);
}
