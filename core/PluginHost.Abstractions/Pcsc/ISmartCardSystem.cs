using Middleware.Contracts.Readers;

namespace Middleware.PluginHost.Pcsc;

/// <summary>
/// The host's PC/SC service (<c>winscard.dll</c>, <c>libpcsclite.so.1</c>, <c>PCSC.framework</c>) behind one
/// interface. Since contract 2.0 only the host uses it: it watches the readers and hands each card to the card plugin
/// that claims it (<see cref="IPcscCardPlugin"/>), so plugins see a connected card, never the service.
/// </summary>
/// <remarks>
/// <para>Thread-safe: a plugin may wait for changes on one task while it transmits on another connection.</para>
/// <para>When the PC/SC service stops or restarts, calls throw <see cref="SmartCardException"/> with
/// <see cref="SmartCardError.NoService"/> or <see cref="SmartCardError.ServiceStopped"/>
/// (<see cref="SmartCardException.IsServiceLost"/>); the implementation re-establishes its context on the
/// next call, so the caller waits a little (host clock) and calls again. Connections opened before the loss are dead.</para>
/// <para>Cancellation through a <see cref="CancellationToken"/> throws <see cref="OperationCanceledException"/>;
/// <see cref="SmartCardError.Cancelled"/> is reserved for a wait cancelled by someone else (e.g. the host stopping).</para>
/// </remarks>
public interface ISmartCardSystem
{
    /// <summary>The names of the readers currently plugged in (empty when there are none; never throws for "no readers").</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<string>> ListReadersAsync(CancellationToken cancellationToken);

    /// <summary>The current status of every plugged reader, without waiting.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<SmartCardReaderStatus>> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the readers differ from <paramref name="known"/> — a card inserted or removed (including a
    /// removal and re-insertion between two calls, seen through <see cref="SmartCardReaderStatus.EventCount"/>),
    /// a reader plugged or unplugged — or until <paramref name="timeout"/> elapses, then returns the current status
    /// of every reader. On timeout the result may equal <paramref name="known"/>; that is not an error.
    /// </summary>
    /// <param name="known">What the caller last saw (the previous result); empty to get the current status at once
    /// when any reader exists, or to wait for the first reader to be plugged.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Cancels the wait (<c>SCardCancel</c>); throws <see cref="OperationCanceledException"/>.</param>
    Task<IReadOnlyList<SmartCardReaderStatus>> WaitForChangeAsync(
        IReadOnlyList<SmartCardReaderStatus> known,
        TimeSpan timeout,
        CancellationToken cancellationToken);

    /// <summary>
    /// Connects to the card on <paramref name="readerName"/> (protocol T=0 or T=1, whichever the card offers).
    /// Throws <see cref="SmartCardException"/> with <see cref="SmartCardError.NoSmartcard"/> when there is no card,
    /// <see cref="SmartCardError.UnknownReader"/> when the reader does not exist.
    /// </summary>
    /// <param name="readerName">A name from <see cref="ListReadersAsync"/>.</param>
    /// <param name="shareMode">Shared (default) or exclusive access to the card.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ISmartCardConnection> ConnectAsync(string readerName, SmartCardShareMode shareMode, CancellationToken cancellationToken);
}

/// <summary>A connection to the card on one reader. Disposing it disconnects, leaving the card as it is.</summary>
public interface ISmartCardConnection : IAsyncDisposable
{
    /// <summary>The reader this connection is on.</summary>
    string ReaderName { get; }

    /// <summary>The card's answer to reset (for storage cards, the reader's PC/SC Part 3 pseudo-ATR).</summary>
    ReadOnlyMemory<byte> Atr { get; }

    /// <summary>
    /// Sends one command APDU and returns the full response APDU (data and the 2 status bytes).
    /// Throws <see cref="SmartCardException"/>: <see cref="SmartCardError.RemovedCard"/> when the card left,
    /// <see cref="SmartCardError.ResetCard"/> when another application reset it, a service loss as described on
    /// <see cref="ISmartCardSystem"/>.
    /// </summary>
    /// <param name="apdu">The command APDU (ISO 7816-4 short APDU, at most 261 bytes).</param>
    /// <param name="cancellationToken">Cancels the call (an APDU already sent to the card is not recalled).</param>
    Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken);

    /// <summary>Disconnects with an explicit disposition (dispose uses <see cref="SmartCardDisposition.Leave"/>).
    /// Further calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <param name="disposition">What to do with the card.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DisconnectAsync(SmartCardDisposition disposition, CancellationToken cancellationToken);
}

/// <summary>How a connection shares the card with other applications.</summary>
public enum SmartCardShareMode
{
    /// <summary>Other applications may connect too (<c>SCARD_SHARE_SHARED</c>).</summary>
    Shared,

    /// <summary>No other application may connect while this connection is open (<c>SCARD_SHARE_EXCLUSIVE</c>).</summary>
    Exclusive,
}

/// <summary>What happens to the card on disconnect.</summary>
public enum SmartCardDisposition
{
    /// <summary>Leave it powered as it is (<c>SCARD_LEAVE_CARD</c>).</summary>
    Leave,

    /// <summary>Warm-reset it (<c>SCARD_RESET_CARD</c>): drops any authentication on the card.</summary>
    Reset,

    /// <summary>Power it down (<c>SCARD_UNPOWER_CARD</c>).</summary>
    Unpower,
}

/// <summary>The state of a reader as <see cref="ISmartCardSystem"/> reports it.</summary>
public enum SmartCardReaderState
{
    /// <summary>The reader is there and has no card.</summary>
    Empty,

    /// <summary>A card is on the reader and answered the reset.</summary>
    CardPresent,

    /// <summary>A card is on the reader but does not answer (<c>SCARD_STATE_MUTE</c>).</summary>
    CardMute,

    /// <summary>The reader is known but cannot be used right now (<c>SCARD_STATE_UNAVAILABLE</c>).</summary>
    Unavailable,
}

/// <summary>One reader's status.</summary>
/// <param name="ReaderName">The reader's PC/SC name.</param>
/// <param name="State">Its state.</param>
/// <param name="Atr">The ATR of the card on it (empty when none).</param>
/// <param name="EventCount">A counter that changes on every card insertion or removal (pcsc-lite's event
/// counter, the upper 16 bits of <c>dwEventState</c>), so a card swapped between two waits is still seen;
/// 0 where the platform has no counter.</param>
public sealed record SmartCardReaderStatus(string ReaderName, SmartCardReaderState State, ReadOnlyMemory<byte> Atr, int EventCount)
{
    /// <summary>True when a card is on the reader (answering or mute).</summary>
    public bool HasCard => State is SmartCardReaderState.CardPresent or SmartCardReaderState.CardMute;
}
