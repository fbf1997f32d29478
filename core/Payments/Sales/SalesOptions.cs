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

    /// <summary>
    /// The profiles (<c>societe/tarif</c>) a till may price a sale at without an Izly identification
    /// (<c>sale.setProfile</c>); any other is refused (1000). Default (null): <c>8000/1</c> (guests), <c>8024/1</c> and
    /// <c>8024/2</c> (the Crous online-ordering profiles). A student price (10/1) needs the card or the QR code.
    /// </summary>
    public List<string>? ProfilesWithoutIdentification { get; set; }

    /// <summary>The default of <see cref="ProfilesWithoutIdentification"/>.</summary>
    internal static readonly string[] DefaultProfilesWithoutIdentification = ["8000/1", "8024/1", "8024/2"];

    /// <summary>The profiles in force, as configured or by default.</summary>
    internal IReadOnlyList<string> ProfilesInForce => ProfilesWithoutIdentification ?? [.. DefaultProfilesWithoutIdentification];

    /// <summary>The profiles <c>sale.setProfile</c> accepts: <see cref="ProfilesWithoutIdentification"/> or its default.
    /// Null when an entry is not <c>societe/tarif</c> (the host refuses to start).</summary>
    internal IReadOnlySet<(int Societe, int Tarif)>? AllowedProfiles()
    {
        var set = new HashSet<(int, int)>();
        foreach (var entry in ProfilesInForce)
        {
            var parts = (entry ?? "").Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var societe)
                || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tarif))
            {
                return null;
            }

            set.Add((societe, tarif));
        }

        return set;
    }

    /// <summary>How often unfinished sales and open payments are completed in the background. Default 5 s.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an IzlyPay web payment may stay unconfirmed before it is abandoned. Default 15 minutes.</summary>
    public TimeSpan WebPaymentTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The <c>versionLogiciel</c> of tickets; default: this assembly's version.</summary>
    public string? SoftwareVersion { get; set; }
}
