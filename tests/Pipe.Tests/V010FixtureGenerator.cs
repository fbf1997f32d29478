using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Middleware.Pipe.Idempotency;

namespace Middleware.Pipe.Tests;

/// <summary>Writes the v0.1.0 fixture store with main's code at fb181b5 (run once, with MW_FIXTURE_OUT set).</summary>
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
        var path = Path.Combine(dir, "idempotency.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 18, 11, 30, 0, TimeSpan.Zero));
        var store = new IdempotencyStore(path, time);
        await store.InitializeAsync(default);
        Assert.True(await store.TryAddAsync("5-1-9-8-14", "11111111-1111-1111-1111-111111111111",
            new StoredAnswer("sale.open", new string('a', 64), false, "{\"saleId\":\"sale-1\",\"state\":\"Open\"}", time.GetUtcNow()), durable: true, default));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await store.TryAddAsync("5-1-9-8-14", "22222222-2222-2222-2222-222222222222",
            new StoredAnswer("sale.pay", new string('b', 64), true, "{\"code\":1303,\"message\":\"Solde insuffisant\"}", time.GetUtcNow()), durable: true, default));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await store.TryAddAsync("5-1-9-8-15", "11111111-1111-1111-1111-111111111111",
            new StoredAnswer("sale.open", new string('c', 64), false, "{\"saleId\":\"sale-2\",\"state\":\"Open\"}", time.GetUtcNow()), durable: false, default));

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
