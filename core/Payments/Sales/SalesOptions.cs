namespace Middleware.Payments.Sales;

/// <summary>Sale settings (configuration section <c>Sales</c>).</summary>
public sealed class SalesOptions
{
    /// <summary>
    /// The sales' SQLite file. Default (null): the payment journal's file (<c>Payments:DatabasePath</c>). In one file
    /// the sale's move to Paying needs no disk sync of its own: the journal's intent, committed right after it to the
    /// same WAL, flushes both. A file of its own costs one more disk sync per payment.
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>The plugin id that serves each channel. Defaults: card → channel.card, qr → channel.qr, izlypay → channel.izlypay.</summary>
    public Dictionary<string, string> ChannelPlugins { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["card"] = "channel.card",
        ["qr"] = "channel.qr",
        ["izlypay"] = "channel.izlypay",
    };

    /// <summary>How long a card tap identifies the customer of a sale without tapping again. Default 2 minutes.</summary>
    public TimeSpan TapValidity { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Points of sale (ids such as <c>5-1-9-8-14</c>) that refuse cards read without a SAM (Calypso, cards.md §6) for
    /// Izly sales, with <c>CardAuthenticationFailed</c>. Default empty: every till accepts them, and the log of the
    /// sale says the card was unauthenticated.
    /// </summary>
    public List<string> RefuseUnauthenticatedCardsAt { get; set; } = [];

    /// <summary>How often unfinished sales and open payments are completed in the background. Default 5 s.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an IzlyPay web payment may stay unconfirmed before it is abandoned. Default 15 minutes.</summary>
    public TimeSpan WebPaymentTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The <c>versionLogiciel</c> of tickets; default: this assembly's version.</summary>
    public string? SoftwareVersion { get; set; }
}
