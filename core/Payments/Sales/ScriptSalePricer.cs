using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;

namespace Middleware.Payments.Sales;

/// <summary>Prices with the point of sale's pricing script (its site folder and time zone come from <c>PointsOfSale</c>) over
/// that point of sale's own VEM catalogue.</summary>
internal sealed class ScriptSalePricer(IScriptEngine engine, IOptionsMonitor<List<PointOfSaleOptions>> pointsOfSale, IPriceCatalogSource? catalogs = null) : ISalePricer
{
    public Task<PricingResult> PriceAsync(PointOfSaleId pointOfSale, Basket basket, CustomerProfile profile, int? paymentCode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = Find(pointsOfSale.CurrentValue, pointOfSale)
            ?? throw new MiddlewareException(ErrorCode.UnknownPointOfSale, $"Point of sale {pointOfSale} is not configured.");
        // Scripts are CPU-only and budgeted: run inline, no thread hop.
        return Task.FromResult(engine.Price(PricingRequest.For(options, basket, profile, paymentCode) with { VemCatalog = catalogs?.For(pointOfSale) }));
    }

    // A loop rather than LINQ: every pricing looks its point of sale up, and a lambda capturing it allocates each time.
    private static PointOfSaleOptions? Find(List<PointOfSaleOptions> configured, PointOfSaleId pointOfSale)
    {
        foreach (var candidate in configured)
        {
            if (PointOfSaleId.TryParse(candidate.Id, out var id) && id == pointOfSale)
            {
                return candidate;
            }
        }

        return null;
    }
}
