using System.Collections.Concurrent;
using System.Diagnostics;
using Middleware.Domain.Money;
using Middleware.Payments.Journal;
using Middleware.Sandbox;
using Middleware.Sandbox.Faults;

namespace Middleware.Host.Tests;

/// <summary>
/// A debit Izly is slow to answer, pushed meanwhile by the host's background pass (every second here) and by the
/// cashier's "vérifier le paiement" and a status refresh on another connection: the real host executable, a real pipe, and Izly played by a
/// sandbox server of this test, whose request log says what the host asked while the debit was on its way.
/// </summary>
public sealed class PaymentInFlightEndToEndTests
{
    private const string Till = "5-1-9-8-14";
    private const string Guest = "1000011"; // Sophie Garcia, 30.00 €

    [Fact]
    public async Task A_slow_debit_is_never_asked_about_nor_marked_unknown_while_it_runs_and_the_sale_commits_once()
    {
        var root = SaleHost.NewRoot();
        var requests = new ConcurrentQueue<SandboxRequestTiming>();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Port = 0,
            DatabasePath = Path.Combine(root, "sandbox.db"),
            RequestObserver = requests.Enqueue,
        });
        var pipeName = "mwf-" + Guid.NewGuid().ToString("N")[..10];
        using var host = ChildHost.Start(root, pipeName, sandbox, crashPoint: null);
        await using var till = await host.ConnectTillAsync(pipeName);
        await using var cashier = await host.ConnectTillAsync(pipeName);
        Assert.True((await till.CallAsync("reference.sync")).GetProperty("succeeded").GetBoolean());
        var saleId = await TillSteps.OpenMealAsync(till);
        await TillSteps.IdentifyQrAsync(till, saleId, sandbox.IssueQrCode(Guest));

        // Izly takes 10 s to answer this one debit: ten passes of the host's background recovery (Sales:RecoveryInterval
        // 1 s), and room for a slow machine to make the calls below while it waits.
        sandbox.Faults.Add(new FaultRule { PathPattern = "/api/payments/debit/*", Method = "POST", LatencyMs = 10_000, Times = 1 });
        var pay = Guid.NewGuid();
        var paying = till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" }, pay);
        await TillSteps.WaitForAsync(() => TillSteps.GetSaleAsync(cashier, saleId), s => s.GetProperty("state").GetString() == "Paying",
            TimeSpan.FromSeconds(30), "the sale to be paying");
        await Task.Delay(TimeSpan.FromSeconds(2)); // at least one background pass while the debit waits

        // The cashier asks: the debit is still on its way, so its outcome is not known yet, but nothing says "unknown".
        // Both answer at once instead of waiting out the debit.
        var started = Stopwatch.GetTimestamp();
        var asked = await cashier.CallAsync("payment.resolve", new { paymentRequestId = pay });
        var refreshed = await cashier.CallAsync("sale.refresh", new { saleId });
        var askedFor = Stopwatch.GetElapsedTime(started);
        Assert.True(askedFor < TimeSpan.FromSeconds(5), $"payment.resolve and sale.refresh took {askedFor} during the debit");
        Assert.False(paying.IsCompleted, "the debit answered before the cashier asked: the test proves nothing");
        Assert.Equal("Pending", asked.GetProperty("state").GetString());
        Assert.Equal(("Paying", "Pending"), (refreshed.GetProperty("state").GetString(), refreshed.GetProperty("payment").GetProperty("state").GetString()));

        var paid = await paying;
        Assert.Equal("Committed", paid.GetProperty("state").GetString());
        Assert.Equal("Approved", paid.GetProperty("payment").GetProperty("state").GetString());
        var total = paid.GetProperty("totalTtc").GetDecimal();
        Assert.Equal(3000 - Euro.ToCents(total), await sandbox.GetBalanceAsync(Guest));

        // The sandbox's log: one debit for this order, and no status query for it while that debit was running.
        var order = PaymentJournal.ClientOrderIdFor(Till, pay);
        var debit = Assert.Single(requests, r => r.Method == "POST" && r.Path.StartsWith("/api/payments/debit/", StringComparison.Ordinal));
        var debitEnd = debit.StartTimestamp + (long)(debit.Elapsed.TotalSeconds * Stopwatch.Frequency);
        Assert.True(debit.Elapsed >= TimeSpan.FromSeconds(9), $"the debit took {debit.Elapsed}: the fault did not hold it");
        var askedMidFlight = requests.Where(r => r.Path.Contains(order, StringComparison.Ordinal) && r.StartTimestamp > debit.StartTimestamp && r.StartTimestamp < debitEnd).ToList();
        Assert.Empty(askedMidFlight);
        host.Stop();
    }
}
