using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Middleware.Payments.Journal;
using Middleware.Payments.Sales;

namespace Middleware.Payments.Tests;

/// <summary>Writes the v0.1.0 fixture store (payments and sales in one file, as the host's default) with main's code
/// at fb181b5 (run once, with MW_FIXTURE_OUT set).</summary>
public sealed class V010FixtureGenerator
{
    [Fact]
    public async Task Write()
    {
        var dir = Environment.GetEnvironmentVariable("MW_FIXTURE_OUT");
        if (dir is null)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "payments.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
        var journal = new PaymentJournal(path, time);
        var sales = new SaleStore(journal);
        const string pos = "5-1-9-8-14";

        Sale NewSale(string id, SaleState state, Guid payment) => new()
        {
            Id = id,
            PointOfSale = pos,
            OpenRequestId = Guid.NewGuid().ToString("D"),
            State = state,
            PaymentMethod = "qr",
            PaymentRequestId = payment.ToString("D"),
            CreatedAt = time.GetUtcNow(),
            UpdatedAt = time.GetUtcNow(),
        };

        var approved = Guid.Parse("11111111-1111-1111-1111-111111111111");
        var refused = Guid.Parse("22222222-2222-2222-2222-222222222222");
        var unknown = Guid.Parse("33333333-3333-3333-3333-333333333333");
        var refunded = Guid.Parse("44444444-4444-4444-4444-444444444444");

        var paying = await sales.InsertOrGetAsync(NewSale("sale-1", SaleState.Paying, approved), default);
        var (a, _) = await journal.RecordIntentAsync(pos, approved, "sale-1", "qr", 3.30m, null, attemptNow: true, default);
        Assert.True(await journal.ApproveAsync(a.ClientOrderId, "88401", 16.70m, default));
        var paid = await sales.TryUpdateAsync(paying with { State = SaleState.Paid }, SaleState.Paying, default);
        Assert.NotNull(await sales.TryUpdateAsync(paid! with { State = SaleState.Committed }, SaleState.Paid, default));
        time.Advance(TimeSpan.FromMinutes(1));

        await sales.InsertOrGetAsync(NewSale("sale-2", SaleState.Paying, refused), default);
        var (r, _) = await journal.RecordIntentAsync(pos, refused, "sale-2", "card", 4.10m, "{\"idSupport\":\"36000001\"}", attemptNow: true, default);
        Assert.True(await journal.RefuseAsync(r.ClientOrderId, 1303, "insufficient balance", 1.20m, default));
        time.Advance(TimeSpan.FromMinutes(1));

        var (u, _) = await journal.RecordIntentAsync(pos, unknown, null, "qr", 2.00m, null, attemptNow: true, default);
        Assert.True(await journal.MarkUnknownAsync(u.ClientOrderId, 1305, "no answer", default));
        time.Advance(TimeSpan.FromMinutes(1));

        var (f, _) = await journal.RecordIntentAsync(pos, refunded, null, "qr", 1.00m, null, attemptNow: true, default);
        Assert.True(await journal.ApproveAsync(f.ClientOrderId, "88402", 15.70m, default));
        Assert.True(await journal.MarkRefundRequestedAsync(f.ClientOrderId, default));
        Assert.True(await journal.CancelAsync(f.ClientOrderId, default));

        SqliteConnection.ClearAllPools();
        using (var c = new SqliteConnection("Data Source=" + path))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }
}
