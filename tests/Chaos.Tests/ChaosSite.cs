namespace Middleware.Chaos.Tests;

/// <summary>One simulated till: its own point of sale, the site folder of its scripts, its regular customer, and for a card
/// till its virtual reader (vpcd: "Virtual PCD 00 00" on port 35963, "Virtual PCD 00 01" on 35964).</summary>
internal sealed record ChaosTill(int Index, string PointOfSale, string Label, string ScriptSite, string Customer, string? Reader = null, int VpcdPort = 0)
{
    /// <summary>The sandbox holder number (10000nn), whose seeded card is 360000nn.</summary>
    public int HolderNumber => int.Parse(Customer, System.Globalization.CultureInfo.InvariantCulture) - 1_000_000;
}

/// <summary>
/// The site under test: up to 8 tills, each its own point of sale, over two restaurants of Crous 5 (RU 9 La Doua and
/// RU 12 the cafeteria) and their two script sites, all served by one host.
/// </summary>
internal static class ChaosSite
{
    private static readonly (string Pos, string Label, string Site)[] All =
    [
        ("5-1-9-8-14", "RU La Doua - caisse 14", "crous-5/ru-9"),
        ("5-1-12-3-1", "Cafétéria Les Quais - caisse 1", "crous-5/ru-12"),
        ("5-1-9-8-15", "RU La Doua - caisse 15", "crous-5/ru-9"),
        ("5-1-12-3-3", "Cafétéria Les Quais - caisse 3", "crous-5/ru-12"),
        ("5-1-9-8-16", "RU La Doua - caisse 16", "crous-5/ru-9"),
        ("5-1-12-3-4", "Cafétéria Les Quais - caisse 4", "crous-5/ru-12"),
        ("5-1-9-8-17", "RU La Doua - caisse 17", "crous-5/ru-9"),
        ("5-1-9-8-18", "RU La Doua - caisse 18", "crous-5/ru-9"),
    ];

    public static int MaxTills => All.Length;

    /// <summary>The first <paramref name="count"/> tills; customers 1000016.. (the sandbox's load-test students, one per till);
    /// the first <paramref name="cardTills"/> (at most 2: vpcd has two readers) also take Izly cards.</summary>
    public static IReadOnlyList<ChaosTill> Tills(int count, int cardTills) =>
        [.. All.Take(count).Select((t, i) => new ChaosTill(i, t.Pos, t.Label, t.Site, (1000016 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            i < Math.Min(cardTills, 2) ? $"Virtual PCD 00 0{i}" : null, i < Math.Min(cardTills, 2) ? 35963 + i : 0))];
}
