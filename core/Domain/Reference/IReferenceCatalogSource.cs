using Middleware.Domain.PointsOfSale;

namespace Middleware.Domain.Reference;

/// <summary>
/// The reference data of one named point of sale. Every path that prices, maps, validates or sends a ticket asks for
/// its own point of sale's catalogue: which till happens to be calling (or which thread runs a batch of several tills'
/// tickets) never decides whose data is used.
/// </summary>
public interface IReferenceCatalogSource
{
    /// <summary>The catalogue of <paramref name="pointOfSale"/>. Throws <c>MiddlewareException</c>
    /// <c>ReferenceDataUnavailable</c> while that point of sale has no reference data yet (a transient condition).</summary>
    IReferenceCatalog For(PointOfSaleId pointOfSale);
}

/// <summary>One catalogue for every point of sale (tests, tools and single-site set-ups without a reference store).</summary>
public sealed class FixedReferenceCatalogSource(IReferenceCatalog catalog) : IReferenceCatalogSource
{
    /// <inheritdoc />
    public IReferenceCatalog For(PointOfSaleId pointOfSale) => catalog;
}
