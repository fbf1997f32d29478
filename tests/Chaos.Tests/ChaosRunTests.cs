using Xunit.Abstractions;

namespace Middleware.Chaos.Tests;

/// <summary>
/// The exactly-once promise on a real site: 8 tills on 8 points of sale of one host, QR, CB, IzlyPay and refunded sales,
/// under sandbox faults, hot reloads and kill -9 of the host, with late IzlyPay confirmations and tickets refused after
/// their debit injected; reconciled from the sandbox's records. The short profile
/// runs in CI (about 3 minutes); <c>MW_CHAOS_PROFILE=long</c> is the 30-minute soak (README, "Long profiles").
/// </summary>
[Trait("Category", "Chaos")]
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_site_of_eight_tills_under_chaos_loses_no_ticket_and_takes_no_payment_twice()
    {
        var profile = ChaosProfile.FromEnvironment();
        using var budget = new CancellationTokenSource(profile.Duration + TimeSpan.FromMinutes(15));
        var result = await ChaosRun.RunAsync(profile, output.WriteLine, budget.Token);
        output.WriteLine(result.Report);

        Assert.True(result.Kills >= profile.Kills, $"the host was killed {result.Kills} times, the profile asks {profile.Kills}");
        Assert.True(result.Committed >= Math.Max(50, profile.MinSales / 2), $"only {result.Committed} sales were committed: the run proves little");
        Assert.Empty(result.Rows.Where(r => r.Failed).Select(r => $"{r.What}: {r.Count} ({string.Join(" | ", r.Examples)})"));
        // Each reconciliation fault the profile asks for was injected at least once, and every injected case was found as
        // such (the "not found as such" rows above are empty).
        Assert.True(profile.LateConfirmations == 0 || Count("late IzlyPay confirmations found as such") > 0, "no late IzlyPay confirmation was injected and found");
        Assert.True(profile.RefusedTickets == 0 || Count("tickets refused after the debit found as such") > 0, "no ticket refused after its debit was injected and found");
        Assert.Empty(result.SecretsInLogs);
        output.WriteLine($"passed: the stores of {result.Root} deleted ({result.DropStores() / 1048576.0:0} MiB), report and logs kept");

        int Count(string row) => result.Rows.Single(r => r.What.StartsWith(row, StringComparison.Ordinal)).Count;
    }
}
