using System.Collections.Concurrent;
using Middleware.Api.Reference;
using Middleware.Domain.PointsOfSale;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;

namespace Middleware.Payments.Sales;

/// <summary>The scripts' VEM catalogue of each point of sale, from the reference store (one view per point of sale).</summary>
internal sealed class ReferencePriceCatalogSource(IReferenceStore store) : IPriceCatalogSource
{
    private readonly ConcurrentDictionary<PointOfSaleId, ReferencePriceCatalog> views = new();

    // The factory takes the store as its argument: a lambda capturing it would be a new delegate at every pricing.
    public IPriceCatalog For(PointOfSaleId pointOfSale) => views.GetOrAdd(pointOfSale, static (p, s) => new ReferencePriceCatalog(s, p), store);
}

/// <summary>
/// One point of sale's prices and reference data, from the reference store (crous-izly-api.md §3). Reads the current
/// snapshot at each call, so a sync applies at once; a point of sale without data yet prices nothing.
/// </summary>
internal sealed class ReferencePriceCatalog(IReferenceStore store, PointOfSaleId pointOfSale) : IPriceCatalog
{
    private ReferenceSnapshot? Snapshot => store.GetSnapshot(pointOfSale);

    public decimal? Price(int codeArticle, int codeSociete, int codeTarif, DateOnly date)
    {
        var snapshot = Snapshot;
        if (snapshot is null)
        {
            return null;
        }

        // A date's price is the one of the period in force at noon, local time of the point of sale.
        var local = date.ToDateTime(new TimeOnly(12, 0));
        var at = new DateTimeOffset(local, snapshot.TimeZone.GetUtcOffset(local));
        return snapshot.Price(codeArticle, codeSociete, codeTarif, at)?.PrixTtc;
    }

    public ArticleInfo? Article(int codeArticle) =>
        Snapshot?.Article(codeArticle) is { } a ? new ArticleInfo(a.CodeArticle, a.Libelle ?? $"Article {a.CodeArticle}", a.CodeTva, a.CodeFamille ?? 0) : null;

    public decimal? VatRate(int codeTva) => Snapshot?.VatRate(codeTva);

    public int? ProfileVatCode(int codeSociete, int codeTarif) => Snapshot?.ProfileVatCode(codeSociete, codeTarif);

    // Scripts ask these at every pricing: plain loops into exact-size arrays, nothing for a profile that has none.
    public IReadOnlyList<EntryFee> EntryFees(int codeSociete, int codeTarif)
    {
        if (Snapshot?.EntryFeesFor(codeSociete, codeTarif) is not { Count: > 0 } fees)
        {
            return [];
        }

        var result = new EntryFee[fees.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var d = fees[i];
            result[i] = new EntryFee(d.CodeSociete, d.CodeTarif, d.CodeType, d.MontantTtc, d.CodeArticle);
        }

        return result;
    }

    public IReadOnlyList<Subsidy> Subsidies(int codeSociete, int codeTarif)
    {
        if (Snapshot?.SubsidiesFor(codeSociete, codeTarif) is not { Count: > 0 } subsidies)
        {
            return [];
        }

        var result = new Subsidy[subsidies.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var s = subsidies[i];
            result[i] = new Subsidy(s.CodeSociete, s.CodeTarif, s.CodeArticle, s.Montant, s.Libelle ?? "Subvention");
        }

        return result;
    }
}
