using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Payments.Rpc;
using Middleware.Scripting.Globals;
using Middleware.Tickets;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// The host's own code for each call of a QR sale, in this process: <c>sale.open</c>, <c>sale.setBasket</c>,
/// <c>sale.identifyQr</c>, <c>sale.pay</c>, each through the till method (<see cref="SaleMethods"/>, view included) of a
/// host composed as the executable composes it (<see cref="SaleBenchHost"/>: shipped settings and logging, plugins.json,
/// the repository's scripts, real SQLite files in a temp folder), with the sandbox as Izly and VEM in a child process so
/// that the allocations reported are the host's, not the sandbox's. Only the pipe is left out (its dispatch is measured by
/// the pipe benchmarks). Every measured invocation is a fresh, valid step of a new sale: the steps before it are taken in
/// <see cref="IterationSetupAttribute"/> (one invocation per iteration), which also waits for the outbox to have sent
/// every ticket, so that no background upload falls inside a measured call.
/// <para>The allocation figure is the process's (BenchmarkDotNet counts every thread): a background pass of the host
/// (WAL checkpoint, recovery pass) falling in an iteration adds to it; the median of many iterations is the call's.</para>
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*SaleCallBenchmarks*' --job short --inProcess</c>
/// </summary>
// Allocated per call, 2 shared cores, --job short --inProcess (times are too noisy on a shared machine to compare):
//   main fc86ad8: open 7.81 KB, setBasket 20.28 KB, identifyQr 78.34 KB, pay 164.85 KB
//   h/salepath:   open 7.78 KB, setBasket 19.41 KB, identifyQr 77.57 KB, pay 159.63 KB
// The rest is mostly the sale's store (reflection JSON + Dapper, ~10 KB a read or a write: SaleCallPartsBenchmarks),
// the payment journal, and the Izly/VEM HTTP path through the channel plugin.
[MemoryDiagnoser]
[InvocationCount(1)]
[WarmupCount(20)]
[IterationCount(60)]
public class SaleCallBenchmarks
{
    private static readonly BasketLine[] Meal = [new BasketLine { CodeArticle = 1201, Quantity = 1 }];
    private SaleBenchHost host = null!;
    private SaleMethods methods = null!;
    private ITicketService tickets = null!;
    private string saleId = "";
    private string qrCode = "";

    [GlobalSetup]
    public void Setup()
    {
        host = SaleBenchHost.StartAsync().GetAwaiter().GetResult();
        methods = host.Services.GetServices<IRpcTarget>().OfType<SaleMethods>().Single();
        tickets = host.Services.GetRequiredService<ITicketService>();
        // The pipe sets the calling till for each call; here it is this thread's for the whole run (an AsyncLocal set
        // before any await flows into every call below).
        TillContext.Current = new TillContext(SaleBenchHost.Till, "bench", "bench-1", "bench", IsOperator: false);
    }

    [GlobalCleanup]
    public void Cleanup() => host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(SetBasket))]
    public void BeforeSetBasket() => Prepare(steps: 1);

    [IterationSetup(Target = nameof(IdentifyQr))]
    public void BeforeIdentifyQr() => Prepare(steps: 2);

    [IterationSetup(Target = nameof(Pay))]
    public void BeforePay() => Prepare(steps: 3);

    [IterationSetup(Target = nameof(Open))]
    public void BeforeOpen() => Prepare(steps: 0);

    [Benchmark(Description = "sale.open")]
    public async Task<SaleView> Open() => await methods.OpenAsync(Guid.NewGuid(), default).ConfigureAwait(false);

    [Benchmark(Description = "sale.setBasket")]
    public async Task<SaleView> SetBasket() => await methods.SetBasketAsync(Guid.NewGuid(), saleId, Meal, null, default).ConfigureAwait(false);

    [Benchmark(Description = "sale.identifyQr")]
    public async Task<SaleView> IdentifyQr() => await methods.IdentifyQrAsync(Guid.NewGuid(), saleId, qrCode, default).ConfigureAwait(false);

    [Benchmark(Description = "sale.pay")]
    public async Task<SaleView> Pay()
    {
        var paid = await methods.PayAsync(Guid.NewGuid(), saleId, "izly", null, default).ConfigureAwait(false);
        // A refused or unfinished payment would measure something else than a sale's payment.
        return paid.State == "Committed" ? paid : throw new InvalidOperationException($"Sale {saleId} ended {paid.State}.");
    }

    /// <summary>Takes the first <paramref name="steps"/> steps of a new sale (0: none), after the outbox sent every ticket.</summary>
    private void Prepare(int steps)
    {
        PrepareAsync(steps).GetAwaiter().GetResult();
    }

    private async Task PrepareAsync(int steps)
    {
        await WaitForEmptyOutboxAsync().ConfigureAwait(false);
        if (steps == 0)
        {
            return;
        }

        saleId = (await methods.OpenAsync(Guid.NewGuid(), default).ConfigureAwait(false)).SaleId;
        if (steps >= 2)
        {
            await methods.SetBasketAsync(Guid.NewGuid(), saleId, Meal, null, default).ConfigureAwait(false);
        }

        qrCode = await host.Sandbox.IssueQrAsync(SaleBenchHost.Customer, default).ConfigureAwait(false);
        if (steps >= 3)
        {
            await methods.IdentifyQrAsync(Guid.NewGuid(), saleId, qrCode, default).ConfigureAwait(false);
        }
    }

    private async Task WaitForEmptyOutboxAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await tickets.GetOutboxStatusAsync(null, default).ConfigureAwait(false)).Pending > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The outbox did not send its tickets within 30 s.");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
