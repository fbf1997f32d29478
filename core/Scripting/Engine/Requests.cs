using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Engine;

/// <summary>A basket to price for one point of sale.</summary>
public sealed record PricingRequest
{
    /// <summary>The site folder under <c>scripts/sites</c> (<see cref="PointOfSaleOptions.ScriptSite"/>); null: the defaults.</summary>
    public string? Site { get; init; }

    /// <summary>IANA time zone of the point of sale (null: <see cref="ScriptingOptions.DefaultTimeZone"/>).</summary>
    public string? TimeZone { get; init; }

    public required Basket Basket { get; init; }

    public CustomerProfile Customer { get; init; } = CustomerProfile.AnonymousGuest;

    /// <summary>The VEM catalogue of the point of sale being priced (its own reference data); null: the engine's.</summary>
    public IPriceCatalog? VemCatalog { get; init; }

    /// <summary>The intended <c>codeReglement</c> (a site may price CB differently; the VAT code does not depend on it); null when unknown.</summary>
    public int? PaymentCode { get; init; }

    /// <summary>The instant to price at (tests, replays); null: now, from the engine's TimeProvider.</summary>
    public DateTimeOffset? At { get; init; }

    public static PricingRequest For(PointOfSaleOptions pointOfSale, Basket basket, CustomerProfile customer, int? paymentCode = null) =>
        new() { Site = pointOfSale.ScriptSite, TimeZone = pointOfSale.TimeZone, Basket = basket, Customer = customer, PaymentCode = paymentCode };
}

/// <summary>A finished sale to map to its VEM ticket.</summary>
public sealed record MappingRequest
{
    public string? Site { get; init; }
    public string? TimeZone { get; init; }
    public required SaleForMapping Sale { get; init; }

    /// <summary>The VEM catalogue of the ticket's point of sale; null: the engine's.</summary>
    public IPriceCatalog? VemCatalog { get; init; }
    public DateTimeOffset? At { get; init; }

    /// <summary>What the built-in mapping made of the sale; the script sees it as <c>DefaultTicket</c>.</summary>
    public VemTicket? DefaultTicket { get; init; }
}
