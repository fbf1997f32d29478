using Middleware.Contracts.Readers;
using Middleware.Plugins.UltralightC;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.UltralightC;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// MIFARE Ultralight C through a PC/SC 2.02 transparent session: the 2K3DES mutual authentication (SAM) then page reads.
/// The card's RndB is fixed so that the recorded authentication replays.
/// </summary>
internal static class UltralightCBenchCase
{
    private static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F7");
    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000077", NumeroApplicatif = "04A1B2C3D4E5F7", Crous = 5, CreationDate = new DateOnly(2025, 9, 1) };

    public static CardBenchCase Create() => new(
        "ultralightc",
        Zdc.IdSupport,
        CardTechnology.UltralightC,
        () => IzlyUltralightCCards.FromZdc(Zdc, Uid, Convert.FromHexString(DemoSamKeys.UltralightCMasterKeyHex), random: FixedRandom.Bytes),
        () => new UltralightCReaderPlugin());
}
