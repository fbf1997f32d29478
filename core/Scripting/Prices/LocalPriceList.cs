using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Prices;

/// <summary>
/// The file format of a site's local price list (<c>prices.json</c>, next to its scripts), "suivant demande du
/// Crous". Field names are the VEM resources' (crous-izly-api.md §3), so an extract of VEM data pastes in.
/// </summary>
public sealed record PriceListFile
{
    [JsonPropertyName("tva")] public List<VatEntry> Vat { get; init; } = [];
    [JsonPropertyName("articles")] public List<ArticleEntry> Articles { get; init; } = [];
    [JsonPropertyName("societesTarifs")] public List<ProfileEntry> Profiles { get; init; } = [];
    [JsonPropertyName("prix")] public List<PriceEntry> Prices { get; init; } = [];
    [JsonPropertyName("droitsEntree")] public List<EntryFeeEntry> EntryFees { get; init; } = [];
    [JsonPropertyName("subventions")] public List<SubsidyEntry> Subsidies { get; init; } = [];

    public sealed record VatEntry([property: JsonPropertyName("codeTva")] int CodeTva, [property: JsonPropertyName("taux")] decimal Rate);

    public sealed record ArticleEntry(
        [property: JsonPropertyName("codeArticle")] int CodeArticle,
        [property: JsonPropertyName("libelle")] string Label,
        [property: JsonPropertyName("codeTva")] int CodeTva,
        [property: JsonPropertyName("codeFamille")] int CodeFamille = 0);

    public sealed record ProfileEntry(
        [property: JsonPropertyName("codeSociete")] int CodeSociete,
        [property: JsonPropertyName("codeTarif")] int CodeTarif,
        [property: JsonPropertyName("codeTva")] int? CodeTva = null);

    /// <summary>A price; <c>du</c>/<c>au</c> (inclusive local dates) stand for the VEM period; absent = always.</summary>
    public sealed record PriceEntry(
        [property: JsonPropertyName("codeArticle")] int CodeArticle,
        [property: JsonPropertyName("codeSociete")] int CodeSociete,
        [property: JsonPropertyName("codeTarif")] int CodeTarif,
        [property: JsonPropertyName("prixTtc")] decimal PriceTtc,
        [property: JsonPropertyName("du")] DateOnly? From = null,
        [property: JsonPropertyName("au")] DateOnly? To = null);

    public sealed record EntryFeeEntry(
        [property: JsonPropertyName("codeSociete")] int CodeSociete,
        [property: JsonPropertyName("codeTarif")] int CodeTarif,
        [property: JsonPropertyName("codeType")] int CodeType,
        [property: JsonPropertyName("montantTtc")] decimal AmountTtc,
        [property: JsonPropertyName("codeArticle")] int CodeArticle);

    public sealed record SubsidyEntry(
        [property: JsonPropertyName("codeSociete")] int CodeSociete,
        [property: JsonPropertyName("codeTarif")] int CodeTarif,
        [property: JsonPropertyName("codeArticle")] int CodeArticle,
        [property: JsonPropertyName("montant")] decimal Amount,
        [property: JsonPropertyName("libelle")] string Label);
}

/// <summary>A price list invalid for a reason Crous IT can fix (file and position in the message).</summary>
public sealed class PriceListException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A local price list (<c>prices.json</c>) as an <see cref="IPriceCatalog"/>.</summary>
public sealed class LocalPriceList : IPriceCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly FrozenDictionary<int, decimal> vat;
    private readonly FrozenDictionary<int, ArticleInfo> articles;
    private readonly FrozenDictionary<(int, int), int?> profiles;
    private readonly FrozenDictionary<(int, int, int), PriceListFile.PriceEntry[]> prices;
    private readonly FrozenDictionary<(int, int), EntryFee[]> entryFees;
    private readonly FrozenDictionary<(int, int), Subsidy[]> subsidies;

    public LocalPriceList(PriceListFile file, string source = "prices.json")
    {
        Source = source;
        vat = file.Vat.ToFrozenDictionary(v => v.CodeTva, v => v.Rate);
        articles = file.Articles.ToFrozenDictionary(a => a.CodeArticle, a => new ArticleInfo(a.CodeArticle, a.Label, a.CodeTva, a.CodeFamille));
        profiles = file.Profiles.ToFrozenDictionary(p => (p.CodeSociete, p.CodeTarif), p => p.CodeTva);
        prices = file.Prices.GroupBy(p => (p.CodeArticle, p.CodeSociete, p.CodeTarif)).ToFrozenDictionary(g => g.Key, g => g.ToArray());
        entryFees = file.EntryFees.GroupBy(e => (e.CodeSociete, e.CodeTarif))
            .ToFrozenDictionary(g => g.Key, g => g.Select(e => new EntryFee(e.CodeSociete, e.CodeTarif, e.CodeType, e.AmountTtc, e.CodeArticle)).ToArray());
        subsidies = file.Subsidies.GroupBy(s => (s.CodeSociete, s.CodeTarif))
            .ToFrozenDictionary(g => g.Key, g => g.Select(s => new Subsidy(s.CodeSociete, s.CodeTarif, s.CodeArticle, s.Amount, s.Label)).ToArray());
        Validate(file, source);
    }

    public string Source { get; }

    /// <summary>Reads a <c>prices.json</c>; a malformed file fails with its path, line and what is wrong.</summary>
    public static LocalPriceList Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize<PriceListFile>(stream, Json) ?? throw new PriceListException($"{path}: the price list is empty (null).");
            return new LocalPriceList(file, path);
        }
        catch (JsonException ex)
        {
            throw new PriceListException($"{path}:{(ex.LineNumber ?? 0) + 1}: the price list is not valid JSON of the expected shape: {ex.Message}", ex);
        }
    }

    /// <summary>Parses price-list JSON text (used by test-case files that embed their catalogue).</summary>
    public static LocalPriceList Parse(JsonElement element, string source)
    {
        try
        {
            return new LocalPriceList(element.Deserialize<PriceListFile>(Json) ?? new PriceListFile(), source);
        }
        catch (JsonException ex)
        {
            throw new PriceListException($"{source}: the catalogue is not of the expected shape: {ex.Message}", ex);
        }
    }

    public decimal? Price(int codeArticle, int codeSociete, int codeTarif, DateOnly date)
    {
        if (!prices.TryGetValue((codeArticle, codeSociete, codeTarif), out var entries))
        {
            return null;
        }

        foreach (var e in entries)
        {
            if ((e.From is null || e.From <= date) && (e.To is null || date <= e.To))
            {
                return e.PriceTtc;
            }
        }

        return null;
    }

    public ArticleInfo? Article(int codeArticle) => articles.GetValueOrDefault(codeArticle);

    public decimal? VatRate(int codeTva) => vat.TryGetValue(codeTva, out var r) ? r : null;

    public int? ProfileVatCode(int codeSociete, int codeTarif) => profiles.GetValueOrDefault((codeSociete, codeTarif));

    public IReadOnlyList<EntryFee> EntryFees(int codeSociete, int codeTarif) => entryFees.GetValueOrDefault((codeSociete, codeTarif)) ?? [];

    public IReadOnlyList<Subsidy> Subsidies(int codeSociete, int codeTarif) => subsidies.GetValueOrDefault((codeSociete, codeTarif)) ?? [];

    private static void Validate(PriceListFile file, string source)
    {
        foreach (var a in file.Articles.Where(a => !file.Vat.Any(v => v.CodeTva == a.CodeTva) && file.Vat.Count > 0))
        {
            throw new PriceListException($"{source}: article {a.CodeArticle} ('{a.Label}') has VAT code {a.CodeTva}, which is not in \"tva\".");
        }

        foreach (var p in file.Prices.Where(p => p.PriceTtc < 0))
        {
            throw new PriceListException($"{source}: the price of article {p.CodeArticle} for {p.CodeSociete}/{p.CodeTarif} is negative ({p.PriceTtc}); subsidies go in \"subventions\".");
        }

        foreach (var p in file.Prices.Where(p => p.PriceTtc != Math.Round(p.PriceTtc, 2)))
        {
            throw new PriceListException($"{source}: the price of article {p.CodeArticle} for {p.CodeSociete}/{p.CodeTarif} has more than 2 decimals ({p.PriceTtc}).");
        }
    }
}

/// <summary>
/// Two catalogues seen as one: the first answer wins (a site's local price list over VEM's synced data), and the
/// second fills what the first does not know (articles, VAT, entry fees, subsidies).
/// </summary>
public sealed class LayeredPriceCatalog(IPriceCatalog first, IPriceCatalog second) : IPriceCatalog
{
    public decimal? Price(int codeArticle, int codeSociete, int codeTarif, DateOnly date) =>
        first.Price(codeArticle, codeSociete, codeTarif, date) ?? second.Price(codeArticle, codeSociete, codeTarif, date);

    public ArticleInfo? Article(int codeArticle) => first.Article(codeArticle) ?? second.Article(codeArticle);

    public decimal? VatRate(int codeTva) => first.VatRate(codeTva) ?? second.VatRate(codeTva);

    public int? ProfileVatCode(int codeSociete, int codeTarif) => first.ProfileVatCode(codeSociete, codeTarif) ?? second.ProfileVatCode(codeSociete, codeTarif);

    public IReadOnlyList<EntryFee> EntryFees(int codeSociete, int codeTarif) =>
        first.EntryFees(codeSociete, codeTarif) is { Count: > 0 } fees ? fees : second.EntryFees(codeSociete, codeTarif);

    public IReadOnlyList<Subsidy> Subsidies(int codeSociete, int codeTarif) =>
        first.Subsidies(codeSociete, codeTarif) is { Count: > 0 } s ? s : second.Subsidies(codeSociete, codeTarif);
}

/// <summary>A catalogue that knows nothing (the host registered no VEM catalogue and the site has no price list).</summary>
public sealed class EmptyPriceCatalog : IPriceCatalog
{
    public static EmptyPriceCatalog Instance { get; } = new();

    public decimal? Price(int codeArticle, int codeSociete, int codeTarif, DateOnly date) => null;
    public ArticleInfo? Article(int codeArticle) => null;
    public decimal? VatRate(int codeTva) => null;
    public int? ProfileVatCode(int codeSociete, int codeTarif) => null;
    public IReadOnlyList<EntryFee> EntryFees(int codeSociete, int codeTarif) => [];
    public IReadOnlyList<Subsidy> Subsidies(int codeSociete, int codeTarif) => [];
}
