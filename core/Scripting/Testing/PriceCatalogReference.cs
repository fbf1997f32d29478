using Middleware.Domain.Reference;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Testing;

/// <summary>The test's catalogue seen as the reference data the ticket mapping and the VEM validator read.</summary>
internal sealed class PriceCatalogReference(IPriceCatalog catalog, int idLogiciel) : IReferenceCatalog
{
    public bool ArticleExists(int codeArticle) => catalog.Article(codeArticle) is not null;

    public int? ArticleVatCode(int codeArticle) => catalog.Article(codeArticle)?.CodeTva;

    public decimal? VatRate(int codeTva) => catalog.VatRate(codeTva);

    public int? ProfileVatCode(int codeSociete, int codeTarif) => catalog.ProfileVatCode(codeSociete, codeTarif);

    public int? IdLogiciel => idLogiciel;
}
