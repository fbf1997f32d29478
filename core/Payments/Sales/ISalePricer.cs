using Middleware.Domain.PointsOfSale;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Sales;

/// <summary>Prices a basket for a profile with the point of sale's pricing script.</summary>
public interface ISalePricer
{
    /// <summary>Runs the pricing script. <c>paymentCode</c> is the <c>codeReglement</c> when known (CB changes the VAT of
    /// some profiles); null before payment.</summary>
    Task<PricingResult> PriceAsync(PointOfSaleId pointOfSale, Basket basket, CustomerProfile profile, int? paymentCode, CancellationToken cancellationToken);
}
