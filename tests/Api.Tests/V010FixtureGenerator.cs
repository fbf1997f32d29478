using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Middleware.Api.Izly;
using Middleware.Api.Tests.Support;
using Middleware.Contracts.Channels;
using Middleware.Contracts.Readers;

namespace Middleware.Api.Tests;

/// <summary>Writes the v0.1.0 fixture stores (reference, and the sandbox's own after a sync and an Izly debit) with
/// main's code at fb181b5 (run once, with MW_FIXTURE_OUT and MW_SANDBOX_FIXTURE_OUT set).</summary>
public sealed class V010FixtureGenerator
{
    [Fact]
    public async Task Write()
    {
        var dir = Environment.GetEnvironmentVariable("MW_FIXTURE_OUT");
        var sandboxDir = Environment.GetEnvironmentVariable("MW_SANDBOX_FIXTURE_OUT");
        if (dir is null || sandboxDir is null)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        Directory.CreateDirectory(sandboxDir);
        await using var h = await ApiHarness.StartAsync();
        var vem = h.Vem();
        var store = h.Store(vem, databasePath: Path.Combine(dir, "reference.db"), keys: new IzlyKeyStore(vem), time: new FakeTimeProvider(ApiHarness.Start));
        Assert.True((await store.SyncAsync(ApiHarness.Pos, default)).Succeeded);
        var izly = h.Izly(vem);
        var card = new CardMedium(new CardIdentity("36000001", "04A1B2C3D40001", CardTechnology.Desfire, "test reader", "SAM-01", true));
        await izly.DebitAsync(new DebitRequest(ApiHarness.Pos.ToString(), "order-1", 3.30m, card), default);
        await h.StopSandboxAsync();

        SqliteConnection.ClearAllPools();
        File.Copy(Path.Combine(h.Directory_, "sandbox.db"), Path.Combine(sandboxDir, "sandbox.db"), overwrite: true);
        Assert.False(File.Exists(Path.Combine(h.Directory_, "sandbox.db-wal")) && new FileInfo(Path.Combine(h.Directory_, "sandbox.db-wal")).Length > 0);
        foreach (var path in new[] { Path.Combine(dir, "reference.db"), Path.Combine(sandboxDir, "sandbox.db") })
        {
            using var c = new SqliteConnection("Data Source=" + path);
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }
}
