using Microsoft.Data.Sqlite;
using Middleware.Storage;

namespace Middleware.Payments.Tests.Storage;

/// <summary>The migrator every store uses (core/Shared/Sqlite), on real SQLite files, with a store of three versions.</summary>
public sealed class StoreSchemaMigratorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mw-schema-" + Guid.NewGuid().ToString("N"));

    public StoreSchemaMigratorTests() => Directory.CreateDirectory(_dir);

    private string DbPath => Path.Combine(_dir, "store.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static StoreSchema Schema(int versions, string? v3 = null)
    {
        var steps = new List<SchemaStep>
        {
            new(1, "baseline", "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
            new(2, "add a price", "ALTER TABLE items ADD COLUMN price TEXT; UPDATE items SET price = '0.00';"),
            new(3, "index the names", v3 ?? "CREATE INDEX items_name ON items(name);"),
        };
        return new StoreSchema("items", steps.Take(versions).ToList());
    }

    private string Query(string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    [Fact]
    public void A_new_file_is_created_at_the_latest_version_in_one_go()
    {
        var log = new ListLogger();

        Assert.Equal(3, StoreSchemaMigrator.Migrate(DbPath, Schema(3), log));

        Assert.Equal("3", Query("SELECT version FROM schema_version WHERE store = 'items'"));
        Assert.Equal("1", Query("SELECT count(*) FROM sqlite_master WHERE name = 'items_name'"));
        var entry = Assert.Single(log.Entries);
        Assert.StartsWith($"Store items created in {DbPath} at schema version 3 in ", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_store_is_migrated_step_by_step_with_its_rows_and_each_step_is_logged()
    {
        StoreSchemaMigrator.Migrate(DbPath, Schema(1));
        Query("INSERT INTO items (name) VALUES ('coffee'), ('tea')");
        var log = new ListLogger();

        Assert.Equal(3, StoreSchemaMigrator.Migrate(DbPath, Schema(3), log));

        Assert.Equal("coffee 0.00,tea 0.00", Query("SELECT group_concat(name || ' ' || price, ',') FROM (SELECT * FROM items ORDER BY id)"));
        Assert.Equal(
            [("items", DbPath, 1, 2, "add a price"), ("items", DbPath, 2, 3, "index the names")],
            log.Entries.Select(e => ((string)e.Values["Store"]!, (string)e.Values["Path"]!, (int)e.Values["From"]!, (int)e.Values["To"]!, (string)e.Values["Description"]!)));
        Assert.All(log.Entries, e => Assert.True((double)e.Values["ElapsedMs"]! >= 0));
        // Already current: nothing to do, nothing logged.
        Assert.Equal(3, StoreSchemaMigrator.Migrate(DbPath, Schema(3), log));
        Assert.Equal(2, log.Entries.Count);
    }

    [Fact]
    public void A_failing_step_is_rolled_back_whole_and_the_store_stays_at_the_version_before_it()
    {
        StoreSchemaMigrator.Migrate(DbPath, Schema(1));
        // Step 3 creates its index, then fails: the index must go with it.
        var failing = Schema(3, "CREATE INDEX items_name ON items(name); INSERT INTO no_such_table VALUES (1);");

        Assert.Throws<SqliteException>(() => StoreSchemaMigrator.Migrate(DbPath, failing));

        Assert.Equal("2", Query("SELECT version FROM schema_version WHERE store = 'items'"));
        Assert.Equal("0", Query("SELECT count(*) FROM sqlite_master WHERE name = 'items_name'"));
        Assert.Equal(3, StoreSchemaMigrator.Migrate(DbPath, Schema(3)));
    }

    [Fact]
    public void A_store_is_versioned_apart_from_the_other_stores_of_its_file()
    {
        StoreSchemaMigrator.Migrate(DbPath, Schema(3));
        var other = new StoreSchema("others", [new SchemaStep(1, "baseline", "CREATE TABLE IF NOT EXISTS others (id INTEGER PRIMARY KEY);")]);

        Assert.Equal(1, StoreSchemaMigrator.Migrate(DbPath, other));

        Assert.Equal("items=3,others=1", Query("SELECT group_concat(store || '=' || version, ',') FROM (SELECT * FROM schema_version ORDER BY store)"));
    }

    [Fact]
    public void An_unversioned_store_with_v1_tables_is_recognised_and_completed_as_version_1_did()
    {
        Query("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO items (name) VALUES ('soup');");
        var baseline = new StoreSchema("items", [Schema(1).Steps[0] with { Sql = Schema(1).Steps[0].Sql + " CREATE INDEX IF NOT EXISTS items_v1 ON items(id, name);" }]);

        Assert.Equal(1, StoreSchemaMigrator.Migrate(DbPath, baseline));

        Assert.Equal("soup", Query("SELECT name FROM items"));
        Assert.Equal("1", Query("SELECT count(*) FROM sqlite_master WHERE name = 'items_v1'"));
    }

    [Fact]
    public void A_store_version_below_1_is_refused()
    {
        StoreSchemaMigrator.Migrate(DbPath, Schema(1));
        Query("UPDATE schema_version SET version = 0");

        var e = Assert.Throws<StoreSchemaException>(() => StoreSchemaMigrator.Migrate(DbPath, Schema(3)));

        Assert.Contains("has schema version '0' in schema_version, which no build writes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_a_sqlite_header_over_garbage_is_refused_by_name()
    {
        var bytes = new byte[4096];
        "SQLite format 3\0"u8.CopyTo(bytes);
        Array.Fill(bytes, (byte)0xA5, 16, bytes.Length - 16);
        File.WriteAllBytes(DbPath, bytes);

        var e = Assert.Throws<StoreSchemaException>(() => StoreSchemaMigrator.Migrate(DbPath, Schema(3)));

        Assert.StartsWith($"{DbPath} is not a usable SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(DbPath));
    }
}
