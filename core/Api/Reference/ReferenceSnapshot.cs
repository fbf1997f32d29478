using System.Globalization;
using Middleware.Api.Vem;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;

namespace Middleware.Api.Reference;

/// <summary>Every VEM reference resource of one point of sale, as fetched together (crous-izly-api.md §3).</summary>
internal sealed record ReferenceData(
    VemCaisse Caisse,
    IReadOnlyList<VemTva> Tva,
    IReadOnlyList<VemArticle> Articles,
    IReadOnlyList<VemSociete> Societes,
    IReadOnlyList<VemSocieteTarif> SocietesTarifs,
    IReadOnlyList<VemPeriode> Periodes,
    IReadOnlyList<VemSocieteTarifPeriode> SocietesTarifsPeriode,
    IReadOnlyList<VemArticlePrix> Prix,
    IReadOnlyList<VemDroitEntreeType> DroitsEntreeTypes,
    IReadOnlyList<VemDroitEntree> DroitsEntree,
    IReadOnlyList<VemSubvention> Subventions)
{
    public IReadOnlyDictionary<string, int> Counts => new Dictionary<string, int>
    {
        [VemAdapter.Caisse] = 1,
        [VemAdapter.Tva] = Tva.Count,
        [VemAdapter.Articles] = Articles.Count,
        [VemAdapter.Societes] = Societes.Count,
        [VemAdapter.SocietesTarifs] = SocietesTarifs.Count,
        [VemAdapter.Periodes] = Periodes.Count,
        [VemAdapter.SocietesTarifsPeriode] = SocietesTarifsPeriode.Count,
        [VemAdapter.ArticlesSocietesTarifsPeriodes] = Prix.Count,
        [VemAdapter.DroitsEntreeTypes] = DroitsEntreeTypes.Count,
        [VemAdapter.DroitsEntree] = DroitsEntree.Count,
        [VemAdapter.Subventions] = Subventions.Count,
    };
}

/// <summary>A price period with its bounds resolved in the point of sale's time zone.</summary>
/// <param name="IdPeriode">VEM's id.</param>
/// <param name="Start">First instant of the period.</param>
/// <param name="End">Last instant of the period (inclusive); null when open-ended.</param>
public sealed record ReferencePeriod(int IdPeriode, DateTimeOffset Start, DateTimeOffset? End)
{
    public bool Contains(DateTimeOffset at) => Start <= at && (End is null || at <= End);
}

/// <summary>The TTC price of an article for a profile (societe/tarif) in a period.</summary>
public sealed record ArticlePrice(int CodeArticle, string? Libelle, int CodeSociete, int CodeTarif, int IdPeriode, decimal PrixTtc, int CodeTva);

/// <summary>
/// An immutable, in-memory view of one point of sale's reference data at its last successful sync: what pricing,
/// the catalogue and ticket validation read. Replaced whole by the next successful sync, never modified.
/// </summary>
public sealed class ReferenceSnapshot : IReferenceCatalog
{
    private readonly Dictionary<int, VemArticle> articles;
    private readonly Dictionary<int, decimal> rates;
    private readonly Dictionary<(int, int), VemSocieteTarif> profiles;
    private readonly Dictionary<(int, int), List<int>> periodsOfProfile;
    private readonly Dictionary<(int Article, int Societe, int Tarif, int Periode), decimal> prices;
    private readonly HashSet<int> kioskArticles;

    internal ReferenceSnapshot(PointOfSaleId pointOfSale, DateTimeOffset syncedAt, ReferenceData data, TimeZoneInfo timeZone, IReadOnlySet<int> kioskArticleCodes)
    {
        PointOfSale = pointOfSale;
        SyncedAt = syncedAt;
        Data = data;
        TimeZone = timeZone;
        articles = data.Articles.GroupBy(a => a.CodeArticle).ToDictionary(g => g.Key, g => g.Last());
        rates = data.Tva.GroupBy(t => t.CodeTva).ToDictionary(g => g.Key, g => g.Last().Taux);
        profiles = data.SocietesTarifs.GroupBy(p => (p.CodeSociete, p.CodeTarif)).ToDictionary(g => g.Key, g => g.Last());
        periodsOfProfile = data.SocietesTarifsPeriode.GroupBy(p => (p.CodeSociete, p.CodeTarif)).ToDictionary(g => g.Key, g => g.Select(x => x.IdPeriode).Distinct().ToList());
        prices = new();
        foreach (var p in data.Prix)
        {
            prices[(p.CodeArticle, p.CodeSociete, p.CodeTarif, p.IdPeriode)] = p.PrixTtc;
        }

        kioskArticles = [.. kioskArticleCodes, .. data.Articles.Where(a => a.VersBornesPrepaiement).Select(a => a.CodeArticle)];
        Periods = [.. data.Periodes.Select(p => ResolvePeriod(p, timeZone)).OrderBy(p => p.Start)];
    }

    public PointOfSaleId PointOfSale { get; }

    /// <summary>When this data was fetched from VEM (end of the successful sync).</summary>
    public DateTimeOffset SyncedAt { get; }

    /// <summary>The point of sale's time zone: date-only period bounds are local days.</summary>
    public TimeZoneInfo TimeZone { get; }

    internal ReferenceData Data { get; }

    /// <summary><c>caisse</c> without its Izly key (the key never reaches the store).</summary>
    public VemCaisse Caisse => Data.Caisse;

    /// <inheritdoc />
    public int? IdLogiciel => Data.Caisse.IdLogiciel;

    public IReadOnlyList<VemTva> Tva => Data.Tva;

    public IReadOnlyList<VemArticle> Articles => Data.Articles;

    public IReadOnlyList<VemSociete> Societes => Data.Societes;

    /// <summary>The profiles (<c>societes-tarifs</c>).</summary>
    public IReadOnlyList<VemSocieteTarif> Profiles => Data.SocietesTarifs;

    public IReadOnlyList<ReferencePeriod> Periods { get; }

    public IReadOnlyList<VemSocieteTarifPeriode> ProfilePeriods => Data.SocietesTarifsPeriode;

    /// <summary>Every price row, current and future periods.</summary>
    public IReadOnlyList<VemArticlePrix> Prices => Data.Prix;

    public IReadOnlyList<VemDroitEntreeType> EntryFeeTypes => Data.DroitsEntreeTypes;

    public IReadOnlyList<VemDroitEntree> EntryFees => Data.DroitsEntree;

    public IReadOnlyList<VemSubvention> Subsidies => Data.Subventions;

    /// <summary>Row counts per resource, for status screens.</summary>
    public IReadOnlyDictionary<string, int> Counts => Data.Counts;

    public VemArticle? Article(int codeArticle) => articles.GetValueOrDefault(codeArticle);

    /// <summary>The articles; <paramref name="kioskOnly"/>: only those for prepayment kiosks (<c>versBornesPrepaiement</c>).</summary>
    public IReadOnlyList<VemArticle> GetArticles(bool kioskOnly = false, bool activeOnly = false) =>
        [.. Data.Articles.Where(a => (!kioskOnly || IsKioskArticle(a.CodeArticle)) && (!activeOnly || a.Actif))];

    public bool IsKioskArticle(int codeArticle) => kioskArticles.Contains(codeArticle);

    /// <summary>Periods in force at <paramref name="at"/>.</summary>
    public IReadOnlyList<ReferencePeriod> CurrentPeriods(DateTimeOffset at) => [.. Periods.Where(p => p.Contains(at))];

    /// <summary>Periods starting after <paramref name="at"/> (prices announced in advance, <c>periodesFutures=1</c>).</summary>
    public IReadOnlyList<ReferencePeriod> FuturePeriods(DateTimeOffset at) => [.. Periods.Where(p => p.Start > at)];

    /// <summary>The period of a profile at <paramref name="at"/> (<c>societes-tarifs-periode</c>); the latest-starting
    /// when several overlap; null when the profile has none then.</summary>
    public ReferencePeriod? PeriodFor(int codeSociete, int codeTarif, DateTimeOffset at)
    {
        if (!periodsOfProfile.TryGetValue((codeSociete, codeTarif), out var ids))
        {
            return null;
        }

        return Periods.Where(p => ids.Contains(p.IdPeriode) && p.Contains(at)).MaxBy(p => p.Start);
    }

    /// <summary>The TTC price of an article for a profile at a given time, or null when not sold to it then.</summary>
    public ArticlePrice? Price(int codeArticle, int codeSociete, int codeTarif, DateTimeOffset at)
    {
        var period = PeriodFor(codeSociete, codeTarif, at);
        if (period is null || !prices.TryGetValue((codeArticle, codeSociete, codeTarif, period.IdPeriode), out var price))
        {
            return null;
        }

        var article = Article(codeArticle);
        return new ArticlePrice(codeArticle, article?.Libelle, codeSociete, codeTarif, period.IdPeriode, price, article?.CodeTva ?? 0);
    }

    /// <summary>The catalogue of a profile at a given time: every active article with a price then.</summary>
    public IReadOnlyList<ArticlePrice> PricesFor(int codeSociete, int codeTarif, DateTimeOffset at, bool kioskOnly = false)
    {
        var period = PeriodFor(codeSociete, codeTarif, at);
        if (period is null)
        {
            return [];
        }

        return [.. Data.Articles
            .Where(a => a.Actif && (!kioskOnly || IsKioskArticle(a.CodeArticle)))
            .Select(a => prices.TryGetValue((a.CodeArticle, codeSociete, codeTarif, period.IdPeriode), out var p)
                ? new ArticlePrice(a.CodeArticle, a.Libelle, codeSociete, codeTarif, period.IdPeriode, p, a.CodeTva)
                : null)
            .OfType<ArticlePrice>()];
    }

    /// <summary>Entry fees (<c>droits-entree</c>) of a profile.</summary>
    public IReadOnlyList<VemDroitEntree> EntryFeesFor(int codeSociete, int codeTarif) =>
        [.. Data.DroitsEntree.Where(d => d.CodeSociete == codeSociete && d.CodeTarif == codeTarif)];

    /// <summary>Subsidies (<c>subventions</c>) of a profile.</summary>
    public IReadOnlyList<VemSubvention> SubsidiesFor(int codeSociete, int codeTarif) =>
        [.. Data.Subventions.Where(s => s.CodeSociete == codeSociete && s.CodeTarif == codeTarif)];

    /// <summary>The profile (<c>societes-tarifs</c>), or null.</summary>
    public VemSocieteTarif? Profile(int codeSociete, int codeTarif) => profiles.GetValueOrDefault((codeSociete, codeTarif));

    // IReferenceCatalog
    public bool ArticleExists(int codeArticle) => articles.ContainsKey(codeArticle);

    public int? ArticleVatCode(int codeArticle) => articles.TryGetValue(codeArticle, out var a) ? a.CodeTva : null;

    public decimal? VatRate(int codeTva) => rates.TryGetValue(codeTva, out var r) ? r : null;

    public int? ProfileVatCode(int codeSociete, int codeTarif) => profiles.TryGetValue((codeSociete, codeTarif), out var p) ? p.CodeTva : null;

    /// <summary>Resolves VEM's period bounds: a date-time with offset is taken as is (end inclusive); a date alone is
    /// a whole local day in <paramref name="zone"/>.</summary>
    internal static ReferencePeriod ResolvePeriod(VemPeriode p, TimeZoneInfo zone)
    {
        var start = ParseBound(p.DateDebut, zone, endOfDay: false)
            ?? throw new FormatException($"Period {p.IdPeriode}: dateDebut '{p.DateDebut}' is not a date.");
        DateTimeOffset? end = string.IsNullOrWhiteSpace(p.DateFin)
            ? null
            : ParseBound(p.DateFin, zone, endOfDay: true) ?? throw new FormatException($"Period {p.IdPeriode}: dateFin '{p.DateFin}' is not a date.");
        return new ReferencePeriod(p.IdPeriode, start, end);
    }

    private static DateTimeOffset? ParseBound(string text, TimeZoneInfo zone, bool endOfDay)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var local = day.ToDateTime(TimeOnly.MinValue);
            if (endOfDay)
            {
                local = local.AddDays(1);
            }

            var instant = new DateTimeOffset(local, zone.GetUtcOffset(local));
            return endOfDay ? instant.AddTicks(-1) : instant;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
        {
            if (!HasOffset(text))
            {
                // A local date-time without an offset: local time of the point of sale.
                var local = DateTime.SpecifyKind(at.DateTime, DateTimeKind.Unspecified);
                return new DateTimeOffset(local, zone.GetUtcOffset(local));
            }

            return at;
        }

        return null;
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':');
}
