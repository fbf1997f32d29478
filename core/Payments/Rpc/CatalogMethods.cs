using Middleware.Api.Reference;
using Middleware.Domain.Errors;
using Middleware.Domain.Rpc;
using Middleware.Payments.Sales;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Rpc;

/// <summary><c>catalog.articles</c>: the point of sale's articles with their reference price for a profile (read-only).</summary>
internal sealed class CatalogMethods(IReferenceStore references, SaleService sales, TimeProvider time) : IRpcTarget
{
    /// <summary>The most articles one answer holds (a VEM catalogue has a few hundred); <c>limit</c> may ask fewer.</summary>
    public const int MaxArticles = 2000;

    private const int DefaultLimit = 500;

    [RpcMethod("catalog.articles")]
    public async Task<CatalogView> ArticlesAsync(
        int? codeSociete = null, int? codeTarif = null, string? saleId = null, bool versBornesPrepaiement = false, int? limit = null, CancellationToken cancellationToken = default)
    {
        var pointOfSale = TillContext.Required.PointOfSale;
        if (codeSociete is null != codeTarif is null)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, "Give codeSociete and codeTarif together, or neither.");
        }

        if (limit is < 1 or > MaxArticles)
        {
            throw new MiddlewareException(ErrorCode.InvalidRequest, $"limit must be 1..{MaxArticles}.");
        }

        // The profile asked for; else the sale's (as identified or set); else the anonymous guest a new sale starts with.
        var profile = codeSociete is { } s && codeTarif is { } t ? (s, t)
            : saleId is not null ? ProfileOf(await sales.GetAsync(pointOfSale, saleId, cancellationToken).ConfigureAwait(false))
            : (CustomerProfile.AnonymousGuest.CodeSociete, CustomerProfile.AnonymousGuest.CodeTarif);
        var snapshot = references.GetRequiredSnapshot(pointOfSale);
        var vemProfile = snapshot.Profile(profile.Item1, profile.Item2)
            ?? throw new MiddlewareException(ErrorCode.InvalidRequest, $"Profile {profile.Item1}/{profile.Item2} is not in the point of sale's reference data (societes-tarifs).");
        var now = time.GetUtcNow();
        var period = snapshot.PeriodFor(profile.Item1, profile.Item2, now);
        var prices = snapshot.PricesFor(profile.Item1, profile.Item2, now, versBornesPrepaiement);
        var take = limit ?? DefaultLimit;
        var articles = prices.Take(take)
            .Select(p => new CatalogArticleView(p.CodeArticle, p.Libelle, p.PrixTtc, p.CodeTva, snapshot.Article(p.CodeArticle)?.CodeFamille, snapshot.IsKioskArticle(p.CodeArticle)))
            .ToList();
        return new CatalogView(pointOfSale.ToString(), profile.Item1, profile.Item2, vemProfile.CodeTva, versBornesPrepaiement, now,
            period is null ? null : new CatalogPeriodView(period.IdPeriode, period.Start, period.End), snapshot.SyncedAt, prices.Count, prices.Count > take, articles);
    }

    private static (int, int) ProfileOf(Sale sale) => (sale.Profile.CodeSociete, sale.Profile.CodeTarif);
}
