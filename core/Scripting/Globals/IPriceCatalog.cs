namespace Middleware.Scripting.Globals;

/// <summary>An article of the catalogue (VEM <c>articles</c>).</summary>
public sealed record ArticleInfo(int CodeArticle, string Label, int CodeTva, int CodeFamille);

/// <summary>An entry fee of a profile (VEM <c>droits-entree</c>): a ticket line of its own.</summary>
public sealed record EntryFee(int CodeSociete, int CodeTarif, int CodeType, decimal AmountTtc, int CodeArticle);

/// <summary>A subsidy of a profile (VEM <c>subventions</c>): a ticket line of its own with a negative unit price.</summary>
public sealed record Subsidy(int CodeSociete, int CodeTarif, int CodeArticle, decimal Amount, string Label);

/// <summary>
/// The catalogue the scripts price from. The host implements it over the synced VEM reference data; a site may
/// instead (or on top) keep a local price list next to its scripts (<c>prices.json</c>, "suivant demande du
/// Crous"). Scripts see one catalogue either way. Implementations are thread-safe read-only views.
/// </summary>
public interface IPriceCatalog
{
    /// <summary>TTC price of an article for a profile (<c>articles-societes-tarifs-periodes</c>) on a local date
    /// (the period containing it); null when the article has no price for this profile then.</summary>
    decimal? Price(int codeArticle, int codeSociete, int codeTarif, DateOnly date);

    /// <summary>The article, or null when unknown.</summary>
    ArticleInfo? Article(int codeArticle);

    /// <summary>The rate in percent (5.5, 10, 20) of a <c>codeTva</c>; null when unknown.</summary>
    decimal? VatRate(int codeTva);

    /// <summary>The <c>codeTva</c> of a societe/tarif (<c>societes-tarifs</c>); null when the profile has none.</summary>
    int? ProfileVatCode(int codeSociete, int codeTarif);

    /// <summary>Entry fees of a profile (<c>droits-entree</c>).</summary>
    IReadOnlyList<EntryFee> EntryFees(int codeSociete, int codeTarif);

    /// <summary>Subsidies of a profile (<c>subventions</c>).</summary>
    IReadOnlyList<Subsidy> Subsidies(int codeSociete, int codeTarif);
}
