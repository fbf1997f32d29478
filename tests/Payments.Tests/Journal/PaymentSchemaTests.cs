using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;
using Middleware.Storage;
using Middleware.Tests.Storage;

namespace Middleware.Payments.Tests.Journal;

/// <summary>The payment journal's file of v0.1.0 (Fixtures/v0.1.0/payments.db: payments approved, refused, unknown and
/// refunded, with the sales in the same file as the host's default, written by v0.1.0's own code) opened by this build.</summary>
public sealed class PaymentSchemaTests : IDisposable
{
    private const string Pos = "5-1-9-8-14";
    private readonly string _dir = StoreFixtureFiles.CopyV010("mw-payment-schema-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 19, 8, 0, 0, TimeSpan.Zero));

    private string DbPath => Path.Combine(_dir, "payments.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // as the other tests of this project (SaleStoreTests) do
        StoreFixtureFiles.Delete(_dir);
    }

    [Fact]
    public async Task A_v010_journal_and_its_sales_are_migrated_and_every_row_reads_as_before()
    {
        Assert.Null(StoreFixtureFiles.VersionOf(DbPath, "payments")); // v0.1.0 wrote no version

        var journal = new PaymentJournal(DbPath, _time);
        var sales = new SaleStore(journal);

        Assert.Equal(2L, StoreFixtureFiles.VersionOf(DbPath, "payments"));
        Assert.Equal(1L, StoreFixtureFiles.VersionOf(DbPath, "sales"));
        var approved = await journal.GetAsync(Pos, Guid.Parse("11111111-1111-1111-1111-111111111111"), default);
        Assert.Equal((PaymentState.Approved, 3.30m, "88401", 16.70m, "sale-1"), (approved!.State, approved.Amount, approved.IdTransactionIzly, approved.BalanceAfter, approved.SaleId));
        var refused = await journal.GetAsync(Pos, Guid.Parse("22222222-2222-2222-2222-222222222222"), default);
        Assert.Equal((PaymentState.Refused, 1303, "{\"idSupport\":\"36000001\"}"), (refused!.State, refused.ErrorCode, refused.MediumJson));
        Assert.Equal(PaymentState.Unknown, (await journal.GetAsync(Pos, Guid.Parse("33333333-3333-3333-3333-333333333333"), default))!.State);
        var refunded = await journal.GetAsync(Pos, Guid.Parse("44444444-4444-4444-4444-444444444444"), default);
        Assert.Equal(PaymentState.Cancelled, refunded!.State);
        Assert.Null(refunded.RefundRequestedAt); // the refund done, its request is cleared
        Assert.Single(await journal.ListOpenAsync(default));

        var day = await journal.ListCreatedBetweenAsync(Pos, new DateTimeOffset(2026, 3, 18, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 19, 0, 0, 0, TimeSpan.Zero), 100, default);
        Assert.Equal([3.30m, 4.10m, 2.00m, 1.00m], day.Select(p => p.Amount));

        var committed = await sales.GetAsync("sale-1", default);
        Assert.Equal((SaleState.Committed, 2L), (committed!.State, committed.Version));
        var paying = await sales.GetAsync("sale-2", default);
        Assert.Equal(SaleState.Paying, paying!.State);

        // Both stores go on writing.
        Assert.NotNull(await sales.TryUpdateAsync(paying with { State = SaleState.Cancelled }, SaleState.Paying, default));
        var (fresh, created) = await journal.RecordIntentAsync(Pos, Guid.NewGuid(), null, "qr", 5.00m, null, default);
        Assert.True(created);
        Assert.Equal(PaymentState.Pending, (await journal.GetByClientOrderIdAsync(fresh.ClientOrderId, default))!.State);
    }

    [Fact]
    public void Version_2_gives_a_reconciliation_s_day_query_its_index()
    {
        _ = new PaymentJournal(DbPath, _time);

        using var c = new SqliteConnection("Data Source=" + DbPath);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN SELECT * FROM payments WHERE pos=$p AND created_at >= $f AND created_at < $t ORDER BY created_at LIMIT 10";
        cmd.Parameters.AddWithValue("$p", Pos);
        cmd.Parameters.AddWithValue("$f", "2026-03-18");
        cmd.Parameters.AddWithValue("$t", "2026-03-19");
        using var reader = cmd.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Equal(["SEARCH payments USING INDEX payments_pos_created (pos=? AND created_at>? AND created_at<?)"], plan);
    }

    [Fact]
    public void A_journal_of_a_newer_version_is_refused_by_name_and_left_byte_identical()
    {
        StoreFixtureFiles.SetVersion(DbPath, "payments", PaymentSchema.Schema.Latest + 1);
        var before = File.ReadAllBytes(DbPath);

        var e = Assert.Throws<StoreSchemaException>(() => new PaymentJournal(DbPath, _time));

        Assert.Equal(
            $"{Path.GetFullPath(DbPath)}: the payments store is at schema version 3, newer than the highest this build knows (2). "
            + "A newer middleware wrote it; run that version, or restore the backup taken before the upgrade. The file was not changed.",
            e.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void Sales_of_a_newer_version_in_the_journal_s_file_are_refused_before_the_journal_touches_it()
    {
        StoreFixtureFiles.SetVersion(DbPath, "sales", SaleSchema.Schema.Latest + 1);
        var before = File.ReadAllBytes(DbPath);

        // The journal opens first in the host: it must not migrate the shared file under sales it cannot serve.
        var e = Assert.Throws<StoreSchemaException>(() => new PaymentJournal(DbPath, _time));

        Assert.Contains("the sales store is at schema version 2, newer than the highest this build knows (1)", e.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }
}
