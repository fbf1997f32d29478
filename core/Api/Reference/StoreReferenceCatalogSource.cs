using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;

namespace Middleware.Api.Reference;

/// <summary>The registered <see cref="IReferenceCatalogSource"/>: the current snapshot of the named point of sale.</summary>
internal sealed class StoreReferenceCatalogSource(IReferenceStore store) : IReferenceCatalogSource
{
    public IReferenceCatalog For(PointOfSaleId pointOfSale) => store.GetRequiredSnapshot(pointOfSale);
}
