using Middleware.Contracts.Readers;

namespace Middleware.PluginHost;

/// <summary>
/// Every card reader of the host, whoever drives it: PC/SC readers (the host's watcher, with card plugins) and
/// terminals (terminal plugins). Reads on demand go to whichever drives the reader.
/// </summary>
public interface ICardReaders
{
    /// <summary>Every reader and terminal with its state, without blocking on plugins (bounded).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<ReaderDescriptor>> GetReadersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the card on <paramref name="readerName"/>: the card already there, or the next one presented within
    /// <paramref name="timeout"/>. Throws <see cref="CardReadException"/> (a card that cannot be read, or
    /// <see cref="CardReadError.Timeout"/> when none came) or <c>MiddlewareException</c> (no such reader, plugin unavailable).
    /// A card read counts as a tap: it is published once to the card events, like a tap the watcher saw.
    /// </summary>
    /// <param name="readerName">A reader or terminal name.</param>
    /// <param name="timeout">How long to wait for a card.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<CardIdentity> ReadCardAsync(string readerName, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Asks the terminal named in <paramref name="request"/> to take a card payment.</summary>
    /// <param name="request">The terminal, amount, reference and time allowed.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the terminal named in <paramref name="request"/> to refund a card payment (credit).</summary>
    /// <param name="request">The terminal, amount, reference and time allowed.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken);
}
