namespace Middleware.Payments.Rpc;

/// <summary>The answer of <c>catalog.articles</c>.</summary>
/// <param name="PointOfSale">The till's point of sale.</param>
/// <param name="CodeSociete">The profile priced.</param>
/// <param name="CodeTarif">The profile priced.</param>
/// <param name="ProfileCodeTva">The profile's own VAT code (<c>societes-tarifs</c>), or null: where it applies instead of
/// the article's (a guest, or a CB payment) the sale's lines say so.</param>
/// <param name="VersBornesPrepaiement">True when only the prepayment kiosks' articles were asked.</param>
/// <param name="At">The moment priced: the price period in force then.</param>
/// <param name="Period">That price period (<c>societes-tarifs-periode</c>); null when the profile has none now (no articles).</param>
/// <param name="SyncedAt">When the reference data was fetched from VEM.</param>
/// <param name="Total">Articles with a price for the profile now, before <c>limit</c>.</param>
/// <param name="Truncated">True when <paramref name="Articles"/> holds fewer than <paramref name="Total"/>.</param>
/// <param name="Articles">The active articles with a price, in the reference data's order.</param>
public sealed record CatalogView(
    string PointOfSale,
    int CodeSociete,
    int CodeTarif,
    int? ProfileCodeTva,
    bool VersBornesPrepaiement,
    DateTimeOffset At,
    CatalogPeriodView? Period,
    DateTimeOffset SyncedAt,
    int Total,
    bool Truncated,
    IReadOnlyList<CatalogArticleView> Articles);

/// <summary>One article and its reference price (TTC, euros) for the profile: the price before the site's pricing rules
/// (entry fees, subsidies, set menus), which <c>sale.setBasket</c> applies.</summary>
public sealed record CatalogArticleView(int CodeArticle, string? Label, decimal PriceTtc, int CodeTva, int? CodeFamille, bool VersBornesPrepaiement);

/// <summary>A price period.</summary>
public sealed record CatalogPeriodView(int IdPeriode, DateTimeOffset Start, DateTimeOffset? End);
