namespace Middleware.PluginHost.Readers;

/// <summary>How the host watches its PC/SC readers and bounds card reads (configuration section <c>CardReaders</c>).</summary>
public sealed class CardReaderOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "CardReaders";

    /// <summary>Whether the host watches its PC/SC readers at all. Default true; false on a host without card readers, or
    /// one that must leave shared readers alone (a test host beside the card tests).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Longest single wait for reader changes (the watcher then waits again). Default 60 s.</summary>
    public TimeSpan StatusWaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait before asking again when the PC/SC service is gone. Default 2 s.</summary>
    public TimeSpan ServiceRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A change must hold this long before the watcher acts on it: a card bouncing at the edge of the field
    /// gives one read, not several. Default 50 ms.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The budget of one plugin's claim. Default 2 s.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The outer budget of one card read (connect, the plugin's read with its own timeout, disconnect); it must
    /// cover the plugins' <c>readTimeoutMs</c> (default 5 s). Default 10 s.</summary>
    public TimeSpan ReadBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After a read broke, how long to wait for the PC/SC service to notice that the card left (pcscd polls
    /// presence every 400 ms) before blaming the card. Default 1 s.</summary>
    public TimeSpan RemovalCheck { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A terminal's request (a card read, a payment) gets the customer's time plus this margin for the
    /// terminal's protocol steps and retries (the Tetra's default handshake alone may take 12 s of retries before it
    /// gives up). Default 20 s.</summary>
    public TimeSpan TerminalMargin { get; set; } = TimeSpan.FromSeconds(20);
}
