using Microsoft.Extensions.Time.Testing;
using Middleware.Payments.Sales;

namespace Middleware.Payments.Tests.Sales;

/// <summary>The sale store's optimistic check, on a real SQLite file: two settles racing on one sale (a till's
/// sale.refresh and the background pass) must not write back a stale copy over the other's change.</summary>
public sealed class SaleStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "salestore-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private Sale NewSale() => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        PointOfSale = "5-1-9-8-14",
        OpenRequestId = Guid.NewGuid().ToString("D"),
        State = SaleState.Paying,
        PaymentMethod = "izlypay",
        PaymentRequestId = Guid.NewGuid().ToString("D"),
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };

    [Fact]
    public async Task A_writer_holding_an_older_version_loses_even_in_the_same_state()
    {
        var store = new SaleStore(Path.Combine(_dir, "sales.db"), _time);
        var read = await store.InsertOrGetAsync(NewSale(), default);
        var staleCopy = await store.GetAsync(read.Id, default);

        // The first settle stores the customer's code (the state stays Paying), as an IzlyPay verification does.
        var first = await store.TryUpdateAsync(read with { WebOperationId = "700001" }, SaleState.Paying, default);
        // The second one read the sale before that change: its move to Paid must fail, not erase the change.
        var second = await store.TryUpdateAsync(staleCopy! with { State = SaleState.Paid }, SaleState.Paying, default);

        Assert.NotNull(first);
        Assert.Equal(1, first.Version);
        Assert.Null(second);
        var stored = await store.GetAsync(read.Id, default);
        Assert.Equal(("700001", SaleState.Paying, 1L), (stored!.WebOperationId, stored.State, stored.Version));

        // Going on from the stored version works, and bumps it again.
        var paid = await store.TryUpdateAsync(stored with { State = SaleState.Paid }, SaleState.Paying, default);
        Assert.Equal((SaleState.Paid, 2L), (paid!.State, paid.Version));
        Assert.Equal(2L, (await store.GetAsync(read.Id, default))!.Version);
    }

    [Fact]
    public async Task A_sales_file_of_an_older_host_gets_the_version_column_and_its_sales_stay_writable()
    {
        var path = Path.Combine(_dir, "old.db");
        Directory.CreateDirectory(_dir);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE sales (id TEXT PRIMARY KEY, pos TEXT NOT NULL, open_request_id TEXT NOT NULL, state TEXT NOT NULL,
                    payment_request_id TEXT, body TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (pos, open_request_id));
                """;
            create.ExecuteNonQuery();
        }

        var store = new SaleStore(path, _time);
        var sale = await store.InsertOrGetAsync(NewSale(), default);
        var moved = await store.TryUpdateAsync(sale with { State = SaleState.Paid }, SaleState.Paying, default);

        Assert.Equal(1L, moved!.Version);
    }
}
