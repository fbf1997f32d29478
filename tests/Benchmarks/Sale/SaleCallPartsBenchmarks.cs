using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Domain.PointsOfSale;
using Middleware.Domain.Rpc;
using Middleware.Payments.Journal;
using Middleware.Payments.Rpc;
using Middleware.Payments.Sales;
using Middleware.Scripting.Globals;
using Middleware.Tickets.Journal;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// The parts every sale call repeats, alone, on the same in-process host as <see cref="SaleCallBenchmarks"/> (a paid,
/// committed QR sale read back): reading the sale, writing it (an open sale's update), pricing its basket with the site's
/// script, the till's view of it, its ticket as built for the outbox, and the journal's hash and Ed25519 signature of an
/// entry. Where a call's bytes go; repeatable, so BenchmarkDotNet's own invocation counts apply.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*SaleCallPartsBenchmarks*' --job short --inProcess</c>
/// </summary>
[MemoryDiagnoser]
public class SaleCallPartsBenchmarks
{
    private static readonly BasketLine[] Meal = [new BasketLine { CodeArticle = 1201, Quantity = 1 }];
    private SaleBenchHost host = null!;
    private SaleStore store = null!;
    private ISalePricer pricer = null!;
    private JournalSigningKey key = null!;
    private Middleware.Payments.Sales.Sale committed = null!;
    private Middleware.Payments.Sales.Sale open = null!;
    private PaymentRecord payment = null!;
    private string body = "";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        host = await SaleBenchHost.StartAsync().ConfigureAwait(false);
        var methods = host.Services.GetServices<IRpcTarget>().OfType<SaleMethods>().Single();
        store = host.Services.GetRequiredService<SaleStore>();
        pricer = host.Services.GetRequiredService<ISalePricer>();
        TillContext.Current = new TillContext(SaleBenchHost.Till, "bench", "bench-1", "bench", IsOperator: false);
        var saleId = (await methods.OpenAsync(Guid.NewGuid(), default).ConfigureAwait(false)).SaleId;
        await methods.SetBasketAsync(Guid.NewGuid(), saleId, Meal, null, default).ConfigureAwait(false);
        await methods.IdentifyQrAsync(Guid.NewGuid(), saleId, await host.Sandbox.IssueQrAsync(SaleBenchHost.Customer, default).ConfigureAwait(false), default).ConfigureAwait(false);
        await methods.PayAsync(Guid.NewGuid(), saleId, "izly", null, default).ConfigureAwait(false);
        committed = await store.GetAsync(saleId, default).ConfigureAwait(false) ?? throw new InvalidOperationException("The sale vanished.");
        payment = await host.Services.GetRequiredService<PaymentJournal>().GetAsync(committed.PointOfSale, Guid.Parse(committed.PaymentRequestId!), default).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The payment vanished.");
        var openId = (await methods.OpenAsync(Guid.NewGuid(), default).ConfigureAwait(false)).SaleId;
        await methods.SetBasketAsync(Guid.NewGuid(), openId, Meal, null, default).ConfigureAwait(false);
        open = await store.GetAsync(openId, default).ConfigureAwait(false) ?? throw new InvalidOperationException("The sale vanished.");
        key = JournalSigningKey.FromSeed(new byte[32]);
        body = System.Text.Json.JsonSerializer.Serialize(SaleTicketBuilder.Build(committed, payment));
    }

    [GlobalCleanup]
    public void Cleanup() => host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "read the sale (store)")]
    public Task<Middleware.Payments.Sales.Sale?> Read() => store.GetAsync(committed.Id, default);

    [Benchmark(Description = "write an open sale (store)")]
    public async Task<Middleware.Payments.Sales.Sale> Write() =>
        open = await store.TryUpdateAsync(open, SaleState.Open, default).ConfigureAwait(false) ?? throw new InvalidOperationException("The update lost.");

    [Benchmark(Description = "price the basket (script)")]
    public Task<PricingResult> Price() => pricer.PriceAsync(SaleBenchHost.Till, committed.Basket, committed.Profile, 1, default);

    [Benchmark(Description = "the till's view")]
    public SaleView View() => SaleView.From(committed, payment);

    [Benchmark(Description = "the ticket built")]
    public Middleware.Tickets.Model.TicketSale Ticket() => SaleTicketBuilder.Build(committed, payment);

    [Benchmark(Description = "journal entry hashed and signed")]
    public byte[] Sign() => key.Sign(Convert.FromHexString(JournalHash.Compute(JournalHash.Genesis, 2, "2026-12-07T20:00:00.0000000Z", JournalKinds.Ticket, "5-1-9-8-14", "123", body)));
}
