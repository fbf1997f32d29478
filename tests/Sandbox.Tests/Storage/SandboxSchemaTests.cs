using Dapper;
using Middleware.Sandbox.Seed;
using Middleware.Sandbox.Storage;
using Middleware.Storage;
using Middleware.Tests.Storage;

namespace Middleware.Sandbox.Tests.Storage;

/// <summary>The sandbox file of v0.1.0 (Fixtures/v0.1.0/sandbox.db: the seed, then a reference sync and a card debit of
/// 3.30 for holder 1000001, written by v0.1.0's own code) opened by this build, and one a newer build wrote.</summary>
public sealed class SandboxSchemaTests : IDisposable
{
    private readonly string dir = StoreFixtureFiles.CopyV010("mw-sandbox-schema-");

    private string DbPath => Path.Combine(dir, "sandbox.db");

    public void Dispose() => StoreFixtureFiles.Delete(dir);

    [Fact]
    public void A_v010_store_is_migrated_and_keeps_its_balances_transactions_and_token_secret()
    {
        Assert.Null(StoreFixtureFiles.VersionOf(DbPath, "sandbox"));
        string secretBefore;
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False"))
        {
            secretBefore = old.ExecuteScalar<string>("SELECT value FROM meta WHERE key = 'token_secret'")!;
        }

        using var db = new SandboxDb(DbPath);
        db.Initialise(SandboxSeed.Create(SandboxHarness.Start));

        Assert.Equal(SandboxSchema.Schema.Latest, StoreFixtureFiles.VersionOf(DbPath, "sandbox"));
        using var c = db.Read();
        Assert.Equal(secretBefore, c.ExecuteScalar<string>("SELECT value FROM meta WHERE key = 'token_secret'"));
        var debit = c.QuerySingle<(string Identifier, long Amount, long Status)>("SELECT identifier, amount, status FROM transactions");
        Assert.Equal(("1000001", 330L), (debit.Identifier, debit.Amount));
        Assert.Equal(23L, c.ExecuteScalar<long>("SELECT count(*) FROM right_holders"));
    }

    [Fact]
    public void A_store_of_a_newer_version_is_refused_by_name_and_left_byte_identical()
    {
        StoreFixtureFiles.SetVersion(DbPath, "sandbox", SandboxSchema.Schema.Latest + 1);
        var before = File.ReadAllBytes(DbPath);

        var e = Assert.Throws<StoreSchemaException>(() => new SandboxDb(DbPath));

        Assert.Equal(
            $"{DbPath}: the sandbox store is at schema version 2, newer than the highest this build knows (1). "
            + "A newer middleware wrote it; run that version, or restore the backup taken before the upgrade. The file was not changed.",
            e.Message);
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }
}
