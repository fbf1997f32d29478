using Microsoft.Extensions.Time.Testing;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;

namespace Middleware.Payments.Tests.Sales;

/// <summary>
/// The sales and the payment journal on their session pool, on real SQLite files: a sale's round of operations reuses a
/// few kept connections instead of opening one per call; the writes the class comments call durable go through the FULL
/// connections, the others through NORMAL ones; disposing the store closes them.
/// </summary>
public sealed class SaleStoreConnectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "salestore-conn-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Sale NewSale(SaleState state) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        PointOfSale = "5-1-9-8-14",
        OpenRequestId = Guid.NewGuid().ToString("D"),
        State = state,
        PaymentMethod = "izlypay",
        PaymentRequestId = Guid.NewGuid().ToString("D"),
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };

    [Fact]
    public async Task A_null_id_from_a_till_finds_nothing_and_leaves_the_connection_usable()
    {
        using var store = new SaleStore(Path.Combine(_dir, "sales.db"), _time);
        var open = await store.InsertOrGetAsync(NewSale(SaleState.Open), default);

        Assert.Null(await store.GetAsync(null!, default)); // a till's "saleId": null (the pipe fuzzer found it)
        Assert.Equal(open.Id, (await store.GetAsync(open.Id, default))!.Id);
    }

    [Fact]
    public async Task Sales_in_a_file_of_their_own_reuse_their_connections_and_the_move_to_paying_is_full()
    {
        using var store = new SaleStore(Path.Combine(_dir, "sales.db"), _time);
        for (var i = 0; i < 20; i++)
        {
            var open = await store.InsertOrGetAsync(NewSale(SaleState.Open), default);
            // The same till request again (another id): the stored sale comes back, read on the same connection.
            Assert.Equal(open.Id, (await store.InsertOrGetAsync(open with { Id = "retry-" + i }, default)).Id);
            Assert.NotNull(await store.GetAsync(open.Id, default));
        }

        // Only NORMAL writes and reads so far: no FULL connection was ever needed.
        Assert.Equal((0, 1), store.Sessions.Idle);
        var paying = await store.InsertOrGetAsync(NewSale(SaleState.Paying), default);
        Assert.Equal((1, 1), store.Sessions.Idle);
        var paid = await store.TryUpdateAsync(paying with { State = SaleState.Paid }, SaleState.Paying, default);

        Assert.Equal(SaleState.Paid, paid!.State);
        Assert.Equal(2, store.Sessions.ConnectionsOpened);
        Assert.Equal(20, (await store.CountByPointOfSaleAsync(SaleState.Open, default))["5-1-9-8-14"]);
        Assert.Equal(1, (await store.CountByPointOfSaleAsync(SaleState.Paid, default))["5-1-9-8-14"]);
    }

    [Fact]
    public async Task Sales_in_the_journals_file_share_its_connections_and_the_move_to_paying_waits_for_the_intents_full_commit()
    {
        using var journal = new PaymentJournal(Path.Combine(_dir, "payments.db"), _time);
        var sales = new SaleStore(journal);
        Assert.Same(journal.Sessions, sales.Sessions);
        Assert.Equal((1, 1), journal.Sessions.Idle); // each constructor's first connection

        for (var i = 0; i < 20; i++)
        {
            var sale = await sales.InsertOrGetAsync(NewSale(SaleState.Open), default);
            var paying = await sales.TryUpdateAsync(sale with { State = SaleState.Paying }, SaleState.Open, default);
            var (record, created) = await journal.RecordIntentAsync(sale.PointOfSale, Guid.NewGuid(), sale.Id, "qr", 3.30m, null, attemptNow: true, default);
            Assert.True(created);
            Assert.True(await journal.ApproveAsync(record.ClientOrderId, "tx-" + i, 16.70m, default));
            Assert.NotNull(await sales.TryUpdateAsync(paying! with { State = SaleState.Paid }, SaleState.Paying, default));
            Assert.Equal(PaymentState.Approved, (await journal.GetByClientOrderIdAsync(record.ClientOrderId, default))!.State);
        }

        // One connection per level served 120 operations; disposing the store leaves the file without open connections.
        Assert.Equal(2, journal.Sessions.ConnectionsOpened);
        sales.Dispose(); // the journal owns the shared connections
        Assert.Equal((1, 1), journal.Sessions.Idle);
        journal.Dispose();
        Assert.Equal((0, 0), journal.Sessions.Idle);
        Assert.Null(await journal.GetByClientOrderIdAsync("x", default)); // a late call still completes (shutdown)
        Assert.Equal((0, 0), journal.Sessions.Idle);
    }

    [Fact]
    public async Task A_lookup_of_many_transactions_finds_them_with_one_constant_statement()
    {
        using var journal = new PaymentJournal(Path.Combine(_dir, "payments.db"), _time);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var (record, _) = await journal.RecordIntentAsync("5-1-9-8-14", Guid.NewGuid(), null, "qr", 1m, null, default);
            await journal.ApproveAsync(record.ClientOrderId, "tx-" + i, null, default);
            ids.Add("tx-" + i);
        }

        var found = await journal.ListByTransactionsAsync("5-1-9-8-14", [.. ids.Where((_, i) => i % 3 == 0), "tx-absent", "it's \"quoted\""], default);

        Assert.Equal(ids.Where((_, i) => i % 3 == 0).Order(StringComparer.Ordinal), found.Select(r => r.IdTransactionIzly!).Order(StringComparer.Ordinal));
        Assert.Empty(await journal.ListByTransactionsAsync("5-1-9-8-99", ids, default));
    }
}
