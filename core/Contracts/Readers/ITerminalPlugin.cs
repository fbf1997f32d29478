namespace Middleware.Contracts.Readers;

/// <summary>
/// A plugin that owns a payment terminal on a serial link (the Ingenico Tetra): the terminal reads the Izly card on
/// demand and takes card (CB) payments. The host asks; the terminal answers within the time the request allows.
/// </summary>
/// <remarks>
/// <para>Contract: <see cref="GetTerminals"/> is cheap (no I/O). <see cref="ReadCardAsync"/> and
/// <see cref="TakePaymentAsync"/> honour their token (the till gave up or the host stops) and their own timeout, and
/// report failures as <see cref="CardReadException"/> or <see cref="TerminalException"/>. The plugin reports its
/// terminals coming and going with <see cref="IReaderEventSink.ReadersChanged"/>. Start from
/// <c>Middleware.Plugins.Sdk.Serial.SerialTerminalPluginBase</c>, which owns the link.</para>
/// </remarks>
public interface ITerminalPlugin : Plugins.IPlugin
{
    /// <summary>The terminals this plugin drives, with their state.</summary>
    IReadOnlyList<ReaderDescriptor> GetTerminals();

    /// <summary>Asks <paramref name="terminalName"/> to read the card presented to it within <paramref name="timeout"/>.</summary>
    /// <param name="terminalName">A name from <see cref="GetTerminals"/>.</param>
    /// <param name="timeout">How long the customer has to present the card.</param>
    /// <param name="cancellationToken">Cancels the read (the terminal is told to stop where its protocol allows).</param>
    Task<CardIdentity> ReadCardAsync(string terminalName, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Asks <paramref name="request"/>'s terminal to take a card payment.</summary>
    /// <param name="request">The terminal, the amount and the time the customer has.</param>
    /// <param name="cancellationToken">Cancels the wait; a payment already accepted by the terminal is not undone.</param>
    Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Asks <paramref name="request"/>'s terminal to refund a card payment (Concert's credit): the amount goes back to the
    /// card presented. Added in contract 2.1; a terminal that cannot refund keeps this default, which refuses with
    /// <see cref="TerminalException"/> (<see cref="TerminalException.RequestNotSent"/> true) before anything is sent.
    /// </summary>
    /// <param name="request">The terminal, the amount to refund and the time the customer has.</param>
    /// <param name="cancellationToken">Cancels the wait; a refund already accepted by the terminal is not undone.</param>
    Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) =>
        Task.FromException<TerminalPaymentResult>(new TerminalException("This terminal does not take refunds.") { RequestNotSent = true });
}

/// <summary>A card payment asked of a terminal.</summary>
/// <param name="TerminalName">The terminal.</param>
/// <param name="Amount">The amount in euros (two decimals at most).</param>
/// <param name="Reference">The till's reference for this payment, echoed in the terminal's report where it allows.</param>
/// <param name="Timeout">How long the customer has (card, PIN).</param>
public sealed record TerminalPaymentRequest(string TerminalName, decimal Amount, string Reference, TimeSpan Timeout);

/// <summary>What the terminal did.</summary>
public enum TerminalPaymentOutcome
{
    /// <summary>The payment was accepted.</summary>
    Accepted,

    /// <summary>The card or the bank refused it.</summary>
    Refused,

    /// <summary>The payment was not completed (no card, cancelled on the terminal, timeout).</summary>
    NotCompleted,
}

/// <summary>A terminal's answer to a payment.</summary>
/// <param name="Outcome">Accepted, refused or not completed.</param>
/// <param name="Amount">The amount the terminal reports, in euros.</param>
/// <param name="Report">The terminal's report text when it gives one (no full card number).</param>
public sealed record TerminalPaymentResult(TerminalPaymentOutcome Outcome, decimal Amount, string? Report);

/// <summary>A terminal that cannot do what was asked (link down, protocol error, busy).</summary>
public sealed class TerminalException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TerminalException() : base("Terminal failure.") { }

    /// <summary>Creates the exception.</summary>
    public TerminalException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public TerminalException(string message, Exception inner) : base(message, inner) { }

    /// <summary>
    /// True when the terminal certainly never received the request (busy, link down, refused before the request frame
    /// went out): nothing can have been paid. False, the default, when it may have: the host then treats a payment's
    /// outcome as unknown and never asks again. Set it only when it is certain. Added in contract 2.1.
    /// </summary>
    public bool RequestNotSent { get; init; }
}
