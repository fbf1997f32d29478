using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Reference;

namespace Middleware.Sandbox.Seed;

/// <summary>A point of sale the sandbox knows, with its VEM installation key and its Izly key (<c>cleIzly</c>).</summary>
public sealed record SandboxPointOfSale(PointOfSaleId Id, string Label, string InstallationKey, string CleIzly, bool KeyRevoked)
{
    /// <summary>The VEM/Izly <c>appId</c>, e.g. <c>5-1-9-8-14</c>.</summary>
    public string AppId => Id.ToString();
}

/// <summary>An Izly card (support) of a right holder.</summary>
public sealed record SandboxCard(string IdSupport, string NumeroApplicatif, bool Invalidated = false);

/// <summary>An Izly right holder as seeded (the live balance is in the database).</summary>
public sealed record SandboxRightHolder(
    string Identifier,
    Guid UserPublicId,
    string FirstName,
    string LastName,
    string Email,
    string Password,
    long BalanceCents,
    int IdCompanyRate,
    int IdRate,
    DateTimeOffset DueDate,
    string AccountStatus,
    string BlockingStatus,
    IReadOnlyList<SandboxCard> Cards,
    bool Anonymised = false,
    int LoyaltyPoints = 0);

/// <summary>Izly account statuses (crous-izly-api.md §5).</summary>
public static class AccountStatuses
{
    public const string NonConfirme = "NON_CONFIRME";
    public const string Actif = "ACTIF";
    public const string Cloture = "CLOTURE";
    public const string ClotureEnCours = "CLOTURE_EN_COURS";
}

/// <summary>Izly blocking statuses (crous-izly-api.md §5).</summary>
public static class BlockingStatuses
{
    public const string NonBloque = "NON_BLOQUE";
    public const string TroisMotsDePasse = "BLOCAGE_PAR_3_MOTS_DE_PASSE_ERRONNES";
    public const string Opposition = "MIS_EN_OPPOSITION";
    public const string Gele = "COMPTE_GELE";
}

/// <summary>
/// The sandbox's demo data: one Crous (5) with two restaurants, their points of sale and keys, an OAuth client,
/// Izly right holders covering every account and blocking status, and the VEM reference resources.
/// Periods are computed from the clock at start (current semester and the next one), everything else is fixed.
/// </summary>
public sealed class SandboxSeed : IReferenceCatalog
{
    public const int CrousId = 5;
    public const string OAuthClientId = "sandbox-client";
    public const string OAuthClientSecret = "sandbox-secret-7f3c";

    /// <summary>The till of the public examples: RU 9 (La Doua), till 14.</summary>
    public static readonly PointOfSaleId MainTill = new(5, 1, 9, 8, 14);
    public static readonly PointOfSaleId SecondTill = new(5, 1, 9, 8, 15);
    public static readonly PointOfSaleId CafeteriaTill = new(5, 1, 12, 3, 1);
    /// <summary>A till whose installation key was revoked: authenticate answers 403.</summary>
    public static readonly PointOfSaleId RevokedTill = new(5, 1, 12, 3, 2);

    public const int IdLogiciel = 39;

    public IReadOnlyList<SandboxPointOfSale> PointsOfSale { get; }
    public IReadOnlyList<SandboxRightHolder> RightHolders { get; }
    public IReadOnlyList<VemTva> Tva { get; }
    public IReadOnlyList<VemArticle> Articles { get; }
    public IReadOnlyList<VemSociete> Societes { get; }
    public IReadOnlyList<VemSocieteTarif> SocietesTarifs { get; }
    public IReadOnlyList<VemPeriode> Periodes { get; }
    public IReadOnlyList<VemSocieteTarifPeriode> SocietesTarifsPeriode { get; }
    public IReadOnlyList<VemPrix> Prix { get; }
    public IReadOnlyList<VemDroitEntreeType> DroitsEntreeTypes { get; }
    public IReadOnlyList<VemDroitEntree> DroitsEntree { get; }
    public IReadOnlyList<VemSubvention> Subventions { get; }

    /// <summary>The period containing the seed's "now".</summary>
    public VemPeriode CurrentPeriod => Periodes[0];

    /// <summary>The next period (prices announced in advance, served with <c>periodesFutures=1</c>).</summary>
    public VemPeriode FuturePeriod => Periodes[1];

    private readonly Dictionary<int, VemArticle> _articles;
    private readonly Dictionary<int, decimal> _rates;
    private readonly Dictionary<(int, int), int> _profileVat;

    private SandboxSeed(DateTimeOffset now, TimeZoneInfo zone)
    {
        PointsOfSale =
        [
            new(MainTill, "RU La Doua - caisse 14", "vem-key-5-1-9-8-14-c1d2e3", "izly-key-5-1-9-8-14-a9b8", false),
            new(SecondTill, "RU La Doua - caisse 15", "vem-key-5-1-9-8-15-f4a5b6", "izly-key-5-1-9-8-15-c7d6", false),
            new(CafeteriaTill, "Cafétéria Les Quais - caisse 1", "vem-key-5-1-12-3-1-0a1b2c", "izly-key-5-1-12-3-1-e5f4", false),
            new(RevokedTill, "Cafétéria Les Quais - caisse 2 (clé révoquée)", "vem-key-5-1-12-3-2-dead00", "izly-key-5-1-12-3-2-0000", true),
            // More tills of both restaurants, so that a site of several tills (the chaos harness: 8 tills on 8 points of
            // sale over two restaurants) runs against the sandbox.
            new(new PointOfSaleId(5, 1, 9, 8, 16), "RU La Doua - caisse 16", "vem-key-5-1-9-8-16-1a2b3c", "izly-key-5-1-9-8-16-d4e5", false),
            new(new PointOfSaleId(5, 1, 9, 8, 17), "RU La Doua - caisse 17", "vem-key-5-1-9-8-17-4d5e6f", "izly-key-5-1-9-8-17-f6a7", false),
            new(new PointOfSaleId(5, 1, 9, 8, 18), "RU La Doua - caisse 18", "vem-key-5-1-9-8-18-7a8b9c", "izly-key-5-1-9-8-18-b8c9", false),
            new(new PointOfSaleId(5, 1, 12, 3, 3), "Cafétéria Les Quais - caisse 3", "vem-key-5-1-12-3-3-0d1e2f", "izly-key-5-1-12-3-3-a1b2", false),
            new(new PointOfSaleId(5, 1, 12, 3, 4), "Cafétéria Les Quais - caisse 4", "vem-key-5-1-12-3-4-3a4b5c", "izly-key-5-1-12-3-4-c3d4", false),
        ];

        Tva = [new(1, 5.5m, "TVA 5,5 %"), new(2, 10m, "TVA 10 %"), new(3, 20m, "TVA 20 %")];
        Societes = [new(10, "Étudiants"), new(8000, "Hôtes de passage"), new(8024, "Commande en ligne")];
        SocietesTarifs =
        [
            new(10, 1, "Étudiant", 1),
            new(10, 2, "Étudiant boursier", 1),
            new(8000, 1, "Hôte de passage", 2),
            new(8024, 1, "Commande en ligne - étudiant", 1),
            new(8024, 2, "Commande en ligne - non étudiant", 2),
        ];
        Articles = BuildArticles();
        Periodes = BuildPeriods(now, zone);
        SocietesTarifsPeriode = [.. Periodes.SelectMany(p => SocietesTarifs.Select(st => new VemSocieteTarifPeriode(st.CodeSociete, st.CodeTarif, p.IdPeriode)))];
        Prix = BuildPrices();
        DroitsEntreeTypes = [new(1, "Droit d'entrée hôte de passage"), new(2, "Droit d'entrée commande en ligne")];
        DroitsEntree = [new(8000, 1, 1, 1.50m, 9001), new(8024, 2, 2, 0.80m, 9002)];
        Subventions =
        [
            new(10, 2, 9101, 2.30m, "Repas à 1 € (boursiers)"),
            new(10, 1, 9102, 0.50m, "Aide régionale petit-déjeuner"),
        ];
        RightHolders = BuildRightHolders(now);

        _articles = Articles.ToDictionary(a => a.CodeArticle);
        _rates = Tva.ToDictionary(t => t.CodeTva, t => t.Taux);
        _profileVat = SocietesTarifs.ToDictionary(s => (s.CodeSociete, s.CodeTarif), s => s.CodeTva);
    }

    /// <summary>The seed for a clock: periods are the semester containing <paramref name="now"/> and the next one.</summary>
    public static SandboxSeed Create(DateTimeOffset now, TimeZoneInfo? zone = null) => new(now, zone ?? ParisZone());

    internal static TimeZoneInfo ParisZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public SandboxPointOfSale PointOfSale(PointOfSaleId id) => PointsOfSale.First(p => p.Id == id);

    public SandboxRightHolder RightHolder(string identifier) => RightHolders.First(r => r.Identifier == identifier);

    /// <summary>The price of an article for a profile in a period, or null when not sold to it.</summary>
    public decimal? PriceOf(int codeArticle, int codeSociete, int codeTarif, int? idPeriode = null)
    {
        var period = idPeriode ?? CurrentPeriod.IdPeriode;
        return Prix.FirstOrDefault(p => p.CodeArticle == codeArticle && p.CodeSociete == codeSociete && p.CodeTarif == codeTarif && p.IdPeriode == period)?.PrixTtc;
    }

    public bool ArticleExists(int codeArticle) => _articles.ContainsKey(codeArticle);

    public int? ArticleVatCode(int codeArticle) => _articles.TryGetValue(codeArticle, out var a) ? a.CodeTva : null;

    public decimal? VatRate(int codeTva) => _rates.TryGetValue(codeTva, out var r) ? r : null;

    public int? ProfileVatCode(int codeSociete, int codeTarif) => _profileVat.TryGetValue((codeSociete, codeTarif), out var v) ? v : null;

    /// <summary>What its caisse resource gives: tests that validate or commit against the seed send it like a host would.</summary>
    int? IReferenceCatalog.IdLogiciel => IdLogiciel;

    // Family codes: 1 set menus, 2 starters, 3 mains, 4 desserts, 5 drinks, 6 snacks, 7 breakfast, 9 entry fees and subsidies.
    private static List<VemArticle> BuildArticles() =>
    [
        new(1201, "Repas complet (entrée, plat, dessert)", 1, 1, true, true),
        new(1202, "Formule plat + dessert", 1, 1, true, true),
        new(1203, "Formule entrée + plat", 1, 1, true, true),
        new(1204, "Formule sandwich + boisson + dessert", 1, 1, true, true),
        new(1205, "Formule petit-déjeuner", 1, 1, true, true),
        new(1206, "Formule végétarienne", 1, 1, true, true),
        new(2101, "Salade composée", 1, 2, true, false),
        new(2102, "Crudités", 1, 2, true, false),
        new(2103, "Soupe du jour", 1, 2, true, false),
        new(2104, "Œuf mayonnaise", 1, 2, true, false),
        new(3101, "Plat du jour", 1, 3, true, false),
        new(3102, "Plat végétarien", 1, 3, true, false),
        new(3103, "Grillade frites", 1, 3, true, false),
        new(3104, "Pâtes bolognaise", 1, 3, true, false),
        new(3105, "Poisson du jour", 1, 3, true, false),
        new(3106, "Pizza margherita", 1, 3, true, false),
        new(4101, "Yaourt", 1, 4, true, false),
        new(4102, "Fruit de saison", 1, 4, true, false),
        new(4103, "Pâtisserie", 1, 4, true, false),
        new(4104, "Compote", 1, 4, true, false),
        new(5101, "Eau minérale 50 cl", 1, 5, true, false),
        new(5102, "Jus d'orange 25 cl", 1, 5, true, false),
        new(5103, "Soda 33 cl", 1, 5, true, false),
        new(5104, "Café", 2, 5, true, false),
        new(5105, "Thé", 2, 5, true, false),
        new(5106, "Chocolat chaud", 2, 5, true, false),
        new(5107, "Boisson énergisante 25 cl", 3, 5, true, false),
        new(6101, "Sandwich jambon beurre", 2, 6, true, false),
        new(6102, "Sandwich poulet crudités", 2, 6, true, false),
        new(6103, "Panini", 2, 6, true, false),
        new(6104, "Viennoiserie", 1, 6, true, false),
        new(6105, "Barre chocolatée", 3, 6, true, false),
        new(6106, "Chips", 3, 6, true, false),
        new(6107, "Quiche", 2, 6, true, false),
        new(7101, "Tartine beurre confiture", 1, 7, true, false),
        new(7102, "Céréales", 1, 7, true, false),
        new(7103, "Ancien menu étudiant (retiré)", 1, 1, false, false),
        new(9001, "Droit d'entrée hôte de passage", 2, 9, true, false),
        new(9002, "Droit d'entrée commande en ligne", 2, 9, true, false),
        new(9101, "Subvention repas à 1 €", 1, 9, true, false),
        new(9102, "Subvention petit-déjeuner", 1, 9, true, false),
    ];

    private static List<VemPeriode> BuildPeriods(DateTimeOffset now, TimeZoneInfo zone)
    {
        // Semesters: 1 Sept to 31 Jan, 1 Feb to 31 Aug (local dates of the Crous).
        var local = TimeZoneInfo.ConvertTime(now, zone);
        DateTime start;
        if (local.Month >= 9)
        {
            start = new DateTime(local.Year, 9, 1);
        }
        else if (local.Month == 1)
        {
            start = new DateTime(local.Year - 1, 9, 1);
        }
        else
        {
            start = new DateTime(local.Year, 2, 1);
        }

        var next = start.Month == 9 ? new DateTime(start.Year + 1, 2, 1) : new DateTime(start.Year, 9, 1);
        var after = next.Month == 9 ? new DateTime(next.Year + 1, 2, 1) : new DateTime(next.Year, 9, 1);
        DateTimeOffset At(DateTime d) => new(d, zone.GetUtcOffset(d));
        var baseId = (start.Year * 10) + (start.Month == 9 ? 2 : 1);
        var nextId = (next.Year * 10) + (next.Month == 9 ? 2 : 1);
        return
        [
            new(baseId, At(start), At(next.AddSeconds(-1))),
            new(nextId, At(next), At(after.AddSeconds(-1))),
        ];
    }

    private List<VemPrix> BuildPrices()
    {
        // Student prices (10/1) per article; other profiles derive from them; the next period raises set menus by 0.10.
        var student = new Dictionary<int, decimal>
        {
            [1201] = 3.30m, [1202] = 2.90m, [1203] = 2.90m, [1204] = 3.10m, [1205] = 1.80m, [1206] = 3.30m,
            [2101] = 1.20m, [2102] = 0.80m, [2103] = 0.90m, [2104] = 0.70m,
            [3101] = 2.50m, [3102] = 2.50m, [3103] = 2.90m, [3104] = 2.40m, [3105] = 2.90m, [3106] = 2.70m,
            [4101] = 0.50m, [4102] = 0.60m, [4103] = 1.10m, [4104] = 0.55m,
            [5101] = 0.70m, [5102] = 1.00m, [5103] = 1.20m, [5104] = 0.60m, [5105] = 0.60m, [5106] = 0.90m, [5107] = 1.80m,
            [6101] = 2.20m, [6102] = 2.60m, [6103] = 2.80m, [6104] = 0.90m, [6105] = 1.10m, [6106] = 0.95m, [6107] = 2.40m,
            [7101] = 0.80m, [7102] = 0.90m,
        };
        var prices = new List<VemPrix>();
        foreach (var period in Periodes)
        {
            var future = period.IdPeriode != Periodes[0].IdPeriode;
            foreach (var (article, basePrice) in student)
            {
                var p = future && article / 100 == 12 ? basePrice + 0.10m : basePrice;
                prices.Add(new(article, 10, 1, period.IdPeriode, p));
                prices.Add(new(article, 10, 2, period.IdPeriode, p));
                prices.Add(new(article, 8024, 1, period.IdPeriode, p));
                // Guests and non-students pay the full (unsubsidised) price.
                var full = decimal.Round(article / 100 == 12 ? p * 2.5m : p * 1.6m, 1, MidpointRounding.AwayFromZero);
                prices.Add(new(article, 8000, 1, period.IdPeriode, full));
                prices.Add(new(article, 8024, 2, period.IdPeriode, full));
            }

            prices.Add(new(9001, 8000, 1, period.IdPeriode, 1.50m));
            prices.Add(new(9002, 8024, 2, period.IdPeriode, 0.80m));
            prices.Add(new(9101, 10, 2, period.IdPeriode, -2.30m));
            prices.Add(new(9102, 10, 1, period.IdPeriode, -0.50m));
        }

        return prices;
    }

    private static List<SandboxRightHolder> BuildRightHolders(DateTimeOffset now)
    {
        var due = new DateTimeOffset(now.Year + 1, 8, 31, 23, 59, 59, TimeSpan.FromHours(2));
        var past = new DateTimeOffset(now.Year - 1, 8, 31, 23, 59, 59, TimeSpan.FromHours(2));
        const string pwd = "Izly-sandbox-1";
        SandboxRightHolder H(int n, string first, string last, long balance, int societe, int tarif, string account, string blocking,
            DateTimeOffset? dueDate = null, bool invalidatedCard = false, bool anonymised = false) =>
            new(
                (1000000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Guid.Parse($"5a1d0000-0000-4000-8000-{n:D12}"),
                first,
                last,
                $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}@etu.example.fr",
                pwd,
                balance,
                societe,
                tarif,
                dueDate ?? due,
                account,
                blocking,
                [new SandboxCard((36000000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"04A1B2C3D4{n:X4}", invalidatedCard)],
                anonymised);

        return
        [
            H(1, "Camille", "Martin", 1525, 10, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque),
            H(2, "Lucas", "Bernard", 500, 10, 2, AccountStatuses.Actif, BlockingStatuses.NonBloque),
            H(3, "Lea", "Petit", 50, 10, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque),
            H(4, "Hugo", "Durand", 2000, 10, 1, AccountStatuses.NonConfirme, BlockingStatuses.NonBloque),
            H(5, "Chloe", "Leroy", 0, 10, 1, AccountStatuses.Cloture, BlockingStatuses.NonBloque),
            H(6, "Louis", "Moreau", 800, 10, 1, AccountStatuses.ClotureEnCours, BlockingStatuses.NonBloque),
            H(7, "Emma", "Simon", 1200, 10, 1, AccountStatuses.Actif, BlockingStatuses.TroisMotsDePasse),
            H(8, "Nathan", "Laurent", 1200, 10, 1, AccountStatuses.Actif, BlockingStatuses.Opposition),
            H(9, "Manon", "Lefebvre", 1200, 10, 1, AccountStatuses.Actif, BlockingStatuses.Gele),
            H(10, "Theo", "Michel", 1200, 10, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque, dueDate: past),
            H(11, "Sophie", "Garcia", 3000, 8000, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque),
            H(12, "Jules", "David", 1500, 10, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque, invalidatedCard: true),
            H(13, "Anonyme", "Anonyme", 0, 10, 1, AccountStatuses.Cloture, BlockingStatuses.NonBloque, anonymised: true),
            H(14, "Ines", "Bertrand", 4000, 8024, 2, AccountStatuses.Actif, BlockingStatuses.NonBloque),
            H(15, "Paul", "Roux", 100000, 10, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque),
            // Regular students of a busy site (load and chaos runs): one per till, each with a large balance.
            .. Enumerable.Range(16, 8).Select(n => H(n, "Etudiant", $"Charge{n - 15:D2}", 1_000_000, 10, 1, AccountStatuses.Actif, BlockingStatuses.NonBloque)),
        ];
    }
}
