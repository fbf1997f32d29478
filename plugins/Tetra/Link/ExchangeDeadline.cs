namespace Middleware.Plugins.Tetra.Link;

/// <summary>
/// The one deadline of a Concert exchange, fixed when it starts: the answer's own wait plus a protocol margin of
/// <see cref="MarginSteps"/> steps (12 s at the default 3 s) for the handshakes, their retries and the answer frame.
/// Every wait of the exchange is bounded by what is left, so that retries cannot add up past what the host gives a
/// terminal call (the customer's time + <c>CardReaders:TerminalMargin</c>) and the till hears the plugin's own error,
/// not the host's timeout.
/// </summary>
internal sealed class ExchangeDeadline
{
    /// <summary>The protocol margin, in steps: a whole ENQ or frame retry series at the default 3 retries.</summary>
    public const int MarginSteps = 4;

    private readonly TimeProvider _time;
    private readonly long _started;

    public ExchangeDeadline(TimeSpan answerWait, ConcertLinkOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        AnswerWait = answerWait;
        Total = answerWait + Margin(options);
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>How long the terminal has to start its answer once the request went out.</summary>
    public TimeSpan AnswerWait { get; }

    /// <summary>The whole exchange's time: <see cref="AnswerWait"/> + <see cref="Margin"/>.</summary>
    public TimeSpan Total { get; }

    /// <summary>What is left, never negative.</summary>
    public TimeSpan Left
    {
        get
        {
            var left = Total - _time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public bool Passed => Left == TimeSpan.Zero;

    /// <summary>The protocol margin of <paramref name="options"/>: <see cref="MarginSteps"/> steps.</summary>
    public static TimeSpan Margin(ConcertLinkOptions options) => options.StepTimeout * MarginSteps;

    /// <summary>The longest an exchange lasts, its closing EOT included: <paramref name="answerWait"/> + the margin +
    /// <see cref="ConcertLink.EndBudget"/> (a write or the best-effort EOT that starts just before the deadline).</summary>
    public static TimeSpan Longest(TimeSpan answerWait, ConcertLinkOptions options) => answerWait + Margin(options) + ConcertLink.EndBudget;

    /// <summary><paramref name="wait"/>, or less when the deadline comes first.</summary>
    public TimeSpan Bound(TimeSpan wait) => wait < Left ? wait : Left;
}
