using Middleware.VirtualCards.Classic;

namespace Middleware.Benchmarks.Cards;

/// <summary>The technologies of <c>card-read</c>, by the name given on the command line.</summary>
internal static class CardBenchCases
{
    public static IReadOnlyList<CardBenchCase> All { get; } =
    [
        DesfireBenchCase.Create(),
        ClassicBenchCase.Create(ClassicCardSize.Classic1K),
        ClassicBenchCase.Create(ClassicCardSize.Classic4K),
        UltralightCBenchCase.Create(),
        CalypsoBenchCase.Create(),
    ];

    /// <summary>The cases named by <paramref name="name"/> (<c>all</c> for every one), or null for an unknown name.</summary>
    public static IReadOnlyList<CardBenchCase>? Select(string name) =>
        name == "all" ? All : All.Where(c => c.Name == name).ToArray() is { Length: 1 } one ? one : null;
}
