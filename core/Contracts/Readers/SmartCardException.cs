namespace Middleware.Contracts.Readers;

/// <summary>Stable error classes of the PC/SC service (the native code is in <see cref="SmartCardException.NativeCode"/>).</summary>
public enum SmartCardError
{
    /// <summary>Anything not listed; see <see cref="SmartCardException.NativeCode"/>.</summary>
    Other,

    /// <summary>The PC/SC service is not running (<c>SCARD_E_NO_SERVICE</c>). Wait and retry.</summary>
    NoService,

    /// <summary>The PC/SC service stopped while in use (<c>SCARD_E_SERVICE_STOPPED</c>). Wait and retry.</summary>
    ServiceStopped,

    /// <summary>The card left the reader (<c>SCARD_W_REMOVED_CARD</c>).</summary>
    RemovedCard,

    /// <summary>There is no card on the reader (<c>SCARD_E_NO_SMARTCARD</c>).</summary>
    NoSmartcard,

    /// <summary>A PC/SC timeout (<c>SCARD_E_TIMEOUT</c>) on an operation that is not a status wait.</summary>
    Timeout,

    /// <summary>The operation was cancelled by someone other than the caller's token (<c>SCARD_E_CANCELLED</c>).</summary>
    Cancelled,

    /// <summary>The reader name is unknown (<c>SCARD_E_UNKNOWN_READER</c>).</summary>
    UnknownReader,

    /// <summary>The reader is not usable right now (<c>SCARD_E_READER_UNAVAILABLE</c>).</summary>
    ReaderUnavailable,

    /// <summary>The card was reset by another application (<c>SCARD_W_RESET_CARD</c>); reconnect.</summary>
    ResetCard,

    /// <summary>The card does not answer (<c>SCARD_W_UNRESPONSIVE_CARD</c>, <c>SCARD_W_UNPOWERED_CARD</c>).</summary>
    UnresponsiveCard,

    /// <summary>Another application holds the card exclusively (<c>SCARD_E_SHARING_VIOLATION</c>).</summary>
    SharingViolation,

    /// <summary>The card or reader refused the exchange (<c>SCARD_E_NOT_TRANSACTED</c>, <c>SCARD_F_COMM_ERROR</c>, protocol errors).</summary>
    CommunicationError,
}

/// <summary>A PC/SC failure with a stable <see cref="SmartCardError"/> and the native return code.</summary>
public sealed class SmartCardException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The stable error class.</param>
    /// <param name="nativeCode">The native PC/SC return code (e.g. <c>0x8010001D</c>), 0 when none.</param>
    /// <param name="message">English detail.</param>
    /// <param name="inner">The cause, if any.</param>
    public SmartCardException(SmartCardError error, long nativeCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        NativeCode = nativeCode;
    }

    /// <summary>Creates the exception with <see cref="SmartCardError.Other"/>.</summary>
    public SmartCardException() : this(SmartCardError.Other, 0, "PC/SC failure.") { }

    /// <summary>Creates the exception with <see cref="SmartCardError.Other"/>.</summary>
    public SmartCardException(string message) : this(SmartCardError.Other, 0, message) { }

    /// <summary>Creates the exception with <see cref="SmartCardError.Other"/>.</summary>
    public SmartCardException(string message, Exception inner) : this(SmartCardError.Other, 0, message, inner) { }

    /// <summary>The stable error class.</summary>
    public SmartCardError Error { get; }

    /// <summary>The native PC/SC return code (as an unsigned 32-bit value), 0 when none.</summary>
    public long NativeCode { get; }

    /// <summary>True when the PC/SC service itself went away (<see cref="SmartCardError.NoService"/> or
    /// <see cref="SmartCardError.ServiceStopped"/>): wait and retry.</summary>
    public bool IsServiceLost => Error is SmartCardError.NoService or SmartCardError.ServiceStopped;

    /// <summary>True when the card is gone (<see cref="SmartCardError.RemovedCard"/>, <see cref="SmartCardError.NoSmartcard"/>,
    /// <see cref="SmartCardError.ResetCard"/>).</summary>
    public bool IsCardGone => Error is SmartCardError.RemovedCard or SmartCardError.NoSmartcard or SmartCardError.ResetCard;
}
