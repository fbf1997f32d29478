namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>
/// The card answered outside its protocol (a wrong length, an unexpected status, a broken frame). The base maps it to
/// <see cref="Contracts.Readers.CardReadError.CardError"/>, unless the host finds that the card left the reader.
/// </summary>
public sealed class CardProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CardProtocolException() : base("The card answered outside its protocol.") { }

    /// <summary>Creates the exception.</summary>
    public CardProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public CardProtocolException(string message, Exception inner) : base(message, inner) { }
}
