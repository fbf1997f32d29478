using Middleware.Contracts.Readers;
using Middleware.Plugins.Classic;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// MIFARE Classic 1K or 4K through the reader's PC/SC Part 3 pseudo-APDUs: GET DATA, LOAD KEY (key A diversified by the
/// software SAM on the plugin side), GENERAL AUTHENTICATE, two READ BINARY. The card has no randomness at this level.
/// </summary>
internal static class ClassicBenchCase
{
    private static readonly byte[] Uid = Convert.FromHexString("04C1A55100AA01");
    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000011", NumeroApplicatif = "04C1A55100AA01", Crous = 5, CreationDate = new DateOnly(2025, 1, 31) };

    public static CardBenchCase Create(ClassicCardSize size) => new(
        size == ClassicCardSize.Classic1K ? "classic1k" : "classic4k",
        Zdc.IdSupport,
        size == ClassicCardSize.Classic1K ? CardTechnology.Classic1K : CardTechnology.Classic4K,
        () => IzlyClassicCards.FromZdc(Zdc, Uid, Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex), size),
        () => new ClassicReaderPlugin());
}
