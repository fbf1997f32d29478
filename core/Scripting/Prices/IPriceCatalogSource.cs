using Middleware.Domain.PointsOfSale;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Prices;

/// <summary>
/// The VEM catalogue of one named point of sale, as scripts see it. Pricing and ticket mapping pass the catalogue of
/// the point of sale they work for (<see cref="Engine.PricingRequest.VemCatalog"/>,
/// <see cref="Engine.MappingRequest.VemCatalog"/>): which till is calling never decides whose prices a script reads.
/// </summary>
public interface IPriceCatalogSource
{
    IPriceCatalog For(PointOfSaleId pointOfSale);
}
