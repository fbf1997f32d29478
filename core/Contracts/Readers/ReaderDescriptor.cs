namespace Middleware.Contracts.Readers;

/// <summary>The state of one reader as a reader plugin sees it.</summary>
public enum ReaderState
{
    /// <summary>Connected, no card on it.</summary>
    Empty,

    /// <summary>A card is on the reader.</summary>
    CardPresent,

    /// <summary>The reader is known but not reachable (unplugged, service down).</summary>
    Unavailable,
}

/// <summary>One reader offered by a reader plugin.</summary>
/// <param name="Name">The reader's name as its system knows it (e.g. the PC/SC name, or the serial port).</param>
/// <param name="PluginId">The plugin that owns the reader.</param>
/// <param name="Technologies">The card technologies the plugin reads on it.</param>
/// <param name="State">Its current state.</param>
public sealed record ReaderDescriptor(string Name, string PluginId, IReadOnlyList<CardTechnology> Technologies, ReaderState State);

/// <summary>A card was put on a reader and read.</summary>
/// <param name="Card">What was read.</param>
/// <param name="At">When (host clock).</param>
public sealed record CardTapped(CardIdentity Card, DateTimeOffset At);

/// <summary>A card was put on a reader but could not be read as an Izly card.</summary>
/// <param name="ReaderName">The reader.</param>
/// <param name="Error">Why, as a stable code.</param>
/// <param name="Detail">Details for support, in English (never keys or full card numbers).</param>
/// <param name="At">When (host clock).</param>
public sealed record CardReadFailed(string ReaderName, CardReadError Error, string Detail, DateTimeOffset At);

/// <summary>A card left a reader.</summary>
/// <param name="ReaderName">The reader.</param>
/// <param name="At">When (host clock).</param>
public sealed record CardRemoved(string ReaderName, DateTimeOffset At);

/// <summary>Why a card could not be read. Stable: tills and the protocol map these to cashier messages.</summary>
public enum CardReadError
{
    /// <summary>The card has no Izly application or ZDC.</summary>
    NotAnIzlyCard,

    /// <summary>The card refused the SAM's authentication (wrong key, wrong diversification).</summary>
    AuthenticationFailed,

    /// <summary>The card left the field during the read.</summary>
    CardRemoved,

    /// <summary>The ZDC record is malformed (version, check byte, date or length).</summary>
    InvalidZdc,

    /// <summary>The card answered something the reader does not understand (integrity, length, status word).</summary>
    CardError,

    /// <summary>The SAM is missing or failed.</summary>
    SamError,

    /// <summary>The reader or its service failed.</summary>
    ReaderError,

    /// <summary>No card before the timeout.</summary>
    Timeout,
}

/// <summary>Thrown by a reader plugin when a card cannot be read; carries a stable <see cref="CardReadError"/>.</summary>
public sealed class CardReadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CardReadException(CardReadError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    /// <summary>Creates the exception with <see cref="CardReadError.CardError"/>.</summary>
    public CardReadException() : this(CardReadError.CardError, "Card read failed.") { }

    /// <summary>Creates the exception with <see cref="CardReadError.CardError"/>.</summary>
    public CardReadException(string message) : this(CardReadError.CardError, message) { }

    /// <summary>Creates the exception with <see cref="CardReadError.CardError"/>.</summary>
    public CardReadException(string message, Exception inner) : this(CardReadError.CardError, message, inner) { }

    /// <summary>Why the read failed.</summary>
    public CardReadError Error { get; }
}
