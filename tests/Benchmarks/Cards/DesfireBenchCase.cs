using Middleware.Contracts.Readers;
using Middleware.Plugins.Desfire;
using Middleware.VirtualCards.Izly;

namespace Middleware.Benchmarks.Cards;

/// <summary>DESFire EV1: UID, SelectApplication, AuthenticateAES (SAM), enciphered ReadData. RndB fixed.</summary>
internal static class DesfireBenchCase
{
    private static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F6");
    private static readonly ZdcDescription Zdc = new() { IdSupport = "36000001", NumeroApplicatif = "04A1B2C3D4E5F6", Crous = 5, CreationDate = new DateOnly(2024, 9, 2) };

    public static CardBenchCase Create() => new(
        "desfire",
        Zdc.IdSupport,
        CardTechnology.Desfire,
        () => IzlyVirtualCards.FromZdc(Zdc, Uid, new IzlyCardKeys(DemoSamKeys.DesfireReadMasterKey), random: FixedRandom.Bytes),
        () => new DesfireReaderPlugin());
}
