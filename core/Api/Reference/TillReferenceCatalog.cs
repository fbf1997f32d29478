using Middleware.Domain.Errors;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;
using Middleware.Domain.Rpc;

namespace Middleware.Api.Reference;

/// <summary>
/// The <see cref="IReferenceCatalog"/> registered in DI: the snapshot of the calling till's point of sale
/// (<see cref="TillContext.Current"/>), or of the only configured point of sale outside a till call. Code that
/// knows its point of sale should prefer <see cref="IReferenceStore.GetRequiredSnapshot"/>.
/// </summary>
internal sealed class TillReferenceCatalog(IReferenceStore store) : IReferenceCatalog
{
    public bool ArticleExists(int codeArticle) => Current.ArticleExists(codeArticle);

    public int? ArticleVatCode(int codeArticle) => Current.ArticleVatCode(codeArticle);

    public decimal? VatRate(int codeTva) => Current.VatRate(codeTva);

    public int? ProfileVatCode(int codeSociete, int codeTarif) => Current.ProfileVatCode(codeSociete, codeTarif);

    private ReferenceSnapshot Current => store.GetRequiredSnapshot(PointOfSale());

    private PointOfSaleId PointOfSale()
    {
        if (TillContext.Current is { } till)
        {
            return till.PointOfSale;
        }

        return store.PointsOfSale.Count == 1
            ? store.PointsOfSale[0]
            : throw new MiddlewareException(ErrorCode.HelloRequired, "Reference data outside a till call with several points of sale: name the point of sale.");
    }
}
