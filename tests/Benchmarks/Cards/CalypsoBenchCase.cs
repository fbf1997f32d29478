using Middleware.Contracts.Readers;
using Middleware.Plugins.Calypso;
using Middleware.VirtualCards.Izly;

namespace Middleware.Benchmarks.Cards;

/// <summary>Calypso Rev3: SELECT then READ RECORD of the ZDC, no SAM and no card randomness.</summary>
internal static class CalypsoBenchCase
{
    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000042", NumeroApplicatif = "04A1B2C3D4E5F8", Crous = 5, CreationDate = new DateOnly(2025, 3, 14) };

    public static CardBenchCase Create() => new(
        "calypso",
        Zdc.IdSupport,
        CardTechnology.Calypso,
        () => IzlyVirtualCards.Calypso(Zdc),
        () => new CalypsoReaderPlugin());
}
