using System.Globalization;

namespace Middleware.Chaos.Tests;

/// <summary>
/// How long and how hard a run shakes the site. <c>short</c> runs in CI; <c>long</c> is the soak
/// (<c>MW_CHAOS_PROFILE=long</c>): at least 30 minutes, 20,000 sales and 50 kills of the host. Each figure can be
/// overridden: <c>MW_CHAOS_MINUTES</c>, <c>MW_CHAOS_MIN_SALES</c>, <c>MW_CHAOS_KILLS</c>, <c>MW_CHAOS_TILLS</c>,
/// <c>MW_CHAOS_SEED</c>, <c>MW_CHAOS_CARD_TILLS</c> (0 without pcscd + vpcd; the default 2 needs them, as root),
/// <c>MW_CHAOS_LATE_CONFIRMATIONS</c> and <c>MW_CHAOS_REFUSED_TICKETS</c> (the sandbox's two reconciliation faults: IzlyPay
/// confirmations that reach Izly after the host gave up, and Izly-paid tickets VEM refuses after the debit; 0 for none).
/// </summary>
internal sealed record ChaosProfile(string Name, TimeSpan Duration, int MinSales, int Kills, int Tills, TimeSpan EventEvery, int Seed, int CardTills = 2,
    int LateConfirmations = 2, int RefusedTickets = 2)
{
    /// <summary>The host's IzlyPay give-up in a run (<c>Sales:WebPaymentTimeout</c>, 15 min in production): short, so that
    /// a late confirmation's sale is given back to its till within the run.</summary>
    public static readonly TimeSpan WebPaymentTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How late an injected confirmation reaches Izly: past the give-up, with room for a host killed meanwhile.</summary>
    public static readonly TimeSpan LateConfirmationDelay = TimeSpan.FromSeconds(55);

    public static ChaosProfile FromEnvironment()
    {
        var name = Environment.GetEnvironmentVariable("MW_CHAOS_PROFILE") ?? "short";
        var profile = name == "long"
            ? new ChaosProfile("long", TimeSpan.FromMinutes(30), 20_000, 50, 8, TimeSpan.FromSeconds(4), 0, LateConfirmations: 20, RefusedTickets: 20)
            : new ChaosProfile("short", TimeSpan.FromSeconds(120), 0, 3, 8, TimeSpan.FromSeconds(3), 0, LateConfirmations: 2, RefusedTickets: 2);
        var seed = Int("MW_CHAOS_SEED") ?? Random.Shared.Next(1, 1_000_000);
        return profile with
        {
            Duration = Int("MW_CHAOS_MINUTES") is { } m ? TimeSpan.FromMinutes(m) : profile.Duration,
            MinSales = Int("MW_CHAOS_MIN_SALES") ?? profile.MinSales,
            Kills = Int("MW_CHAOS_KILLS") ?? profile.Kills,
            Tills = Math.Clamp(Int("MW_CHAOS_TILLS") ?? profile.Tills, 1, ChaosSite.MaxTills),
            Seed = seed,
            CardTills = Math.Clamp(Int("MW_CHAOS_CARD_TILLS") ?? 2, 0, 2),
            LateConfirmations = Math.Max(0, Int("MW_CHAOS_LATE_CONFIRMATIONS") ?? profile.LateConfirmations),
            RefusedTickets = Math.Max(0, Int("MW_CHAOS_REFUSED_TICKETS") ?? profile.RefusedTickets),
        };
    }

    private static int? Int(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
}
