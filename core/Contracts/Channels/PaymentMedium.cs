using Middleware.Contracts.Readers;

namespace Middleware.Contracts.Channels;

/// <summary>How the customer presents themselves to a payment channel.</summary>
public abstract record PaymentMedium
{
    /// <summary>The channel that handles this medium: <c>card</c>, <c>qr</c> or <c>izlypay</c>.</summary>
    public abstract string Channel { get; }
}

/// <summary>An Izly card read by a reader plugin.</summary>
/// <param name="Card">The identity read from the card's ZDC.</param>
public sealed record CardMedium(CardIdentity Card) : PaymentMedium
{
    /// <inheritdoc />
    public override string Channel => "card";
}

/// <summary>An Izly payment QR code as the till's scanner read it (the raw text, not yet base64-encoded).</summary>
/// <param name="ScannedText">The text of the QR code (<c>AIZ;...</c>).</param>
public sealed record QrMedium(string ScannedText) : PaymentMedium
{
    /// <inheritdoc />
    public override string Channel => "qr";

    /// <inheritdoc />
    public override string ToString() => "QR code";
}

/// <summary>An IzlyPay web payment: the customer logs in on Izly's page from a kiosk or a web page.</summary>
/// <param name="RedirectUrl">Where the browser goes after paying (optional).</param>
public sealed record WebMedium(string? RedirectUrl) : PaymentMedium
{
    /// <inheritdoc />
    public override string Channel => "izlypay";
}
