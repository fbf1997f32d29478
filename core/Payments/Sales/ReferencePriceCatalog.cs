using Middleware.Api.Reference;
using Middleware.Domain.Rpc;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Sales;

/// <summary>
/// The scripts' VEM catalogue: prices and reference data of the calling till's point of sale, from the reference store
/// (crous-izly-api.md §3). Outside a till call it reads the first configured point of sale.
/// </summary>
internal sealed class ReferencePriceCatalog(IReferenceStore store) : IPriceCatalog
{
    private ReferenceSnapshot? Snapshot
    {
        get
        {
            if (TillContext.Current is { } till)
            {
                return store.GetSnapshot(till.PointOfSale);
            }

            return store.PointsOfSale.Count > 0 ? store.GetSnapshot(store.PointsOfSale[0]) : null;
        }
    }

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

    public IReadOnlyList<EntryFee> EntryFees(int codeSociete, int codeTarif) =>
        Snapshot?.EntryFeesFor(codeSociete, codeTarif).Select(d => new EntryFee(d.CodeSociete, d.CodeTarif, d.CodeType, d.MontantTtc, d.CodeArticle)).ToList() ?? [];

    public IReadOnlyList<Subsidy> Subsidies(int codeSociete, int codeTarif) =>
        Snapshot?.SubsidiesFor(codeSociete, codeTarif).Select(s => new Subsidy(s.CodeSociete, s.CodeTarif, s.CodeArticle, s.Montant, s.Libelle ?? "Subvention")).ToList() ?? [];
}
