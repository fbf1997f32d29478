using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Middleware.Storage;
using Middleware.Tests.Storage;
using Middleware.Tickets.Storage;
using Xunit;

namespace Middleware.Tickets.Tests.Storage;

/// <summary>The outbox file of v0.1.0 (Fixtures/v0.1.0: four tickets, one dead, a day closing, the signed journal with
/// its key and head, written by v0.1.0's own code) opened by this build, and the files it must refuse.</summary>
public sealed class TicketSchemaTests : IDisposable
{
    private readonly string dir = StoreFixtureFiles.CopyV010("mw-ticket-schema-");

    private string DbPath => Path.Combine(dir, "tickets.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // as the other tests of this project (TicketFixture) do
        StoreFixtureFiles.Delete(dir);
    }

    [Fact]
    public async Task A_v010_store_is_recognised_migrated_and_keeps_its_tickets_and_its_journal_verifies()
    {
        Assert.Null(StoreFixtureFiles.VersionOf(DbPath, "tickets")); // v0.1.0 wrote no version

        await using (var f = new TicketFixture(directory: dir, time: new FakeTimeProvider(new DateTimeOffset(2020, 3, 21, 9, 0, 0, TimeSpan.Zero))))
        {
            Assert.Equal(TicketSchema.Schema.Latest, StoreFixtureFiles.VersionOf(DbPath, "tickets"));
            using (var c = f.Db.Open(durable: false))
            {
                Assert.Equal("0:1 1:2 2:1", Scalar(c, "SELECT group_concat(state || ':' || n, ' ') FROM (SELECT state, count(*) n FROM tickets GROUP BY state ORDER BY state)"));
                Assert.Equal("closing:1 key:1 ticket:4", Scalar(c, "SELECT group_concat(kind || ':' || n, ' ') FROM (SELECT kind, count(*) n FROM journal GROUP BY kind ORDER BY kind)"));
                Assert.Equal("422", Scalar(c, "SELECT error_code FROM tickets WHERE state = 2"));
            }

            var verified = await f.Journal.VerifyAsync(true, CancellationToken.None);
            Assert.True(verified.Intact, string.Join("; ", verified.Problems.Select(p => p.Detail)));
            Assert.Equal(6, verified.Entries);

            // The store goes on: a new ticket numbers after the old ones and its entry extends the same chain.
            var receipt = await f.CommitAsync("after-upgrade");
            Assert.Equal("4", receipt.IdTicketEntete);
            var after = await f.Journal.VerifyAsync(true, CancellationToken.None);
            Assert.True(after.Intact, string.Join("; ", after.Problems.Select(p => p.Detail)));
            Assert.Equal(7, after.Entries);

            // The append-only guard survived the upgrade.
            using var guard = f.Db.Open(durable: false);
            var refused = Assert.Throws<SqliteException>(() => TicketDatabase.Execute(guard, "DELETE FROM journal WHERE seq = 2"));
            Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_store_of_a_newer_version_is_refused_by_name_and_left_byte_identical()
    {
        StoreFixtureFiles.SetVersion(DbPath, "tickets", TicketSchema.Schema.Latest + 1);
        var before = File.ReadAllBytes(DbPath);

        var e = Assert.Throws<StoreSchemaException>(() => new TicketDatabase(DbPath));

        Assert.Equal(
            $"{DbPath}: the tickets store is at schema version {TicketSchema.Schema.Latest + 1}, newer than the highest this build knows ({TicketSchema.Schema.Latest}). "
            + "A newer middleware wrote it; run that version, or restore the backup taken before the upgrade. The file was not changed.",
            e.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(dir, "not-a-store.db");
        File.WriteAllText(path, "tickets,journal\n1,2\n");

        var e = Assert.Throws<StoreSchemaException>(() => new TicketDatabase(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("is not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Equal("tickets,journal\n1,2\n", File.ReadAllText(path));
    }

    [Fact]
    public void An_unversioned_store_whose_tables_are_not_v010s_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(dir, "other.db");
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            c.Open();
            TicketDatabase.Execute(c, "CREATE TABLE tickets (pos TEXT, id INTEGER, total REAL); INSERT INTO tickets VALUES ('x', 1, 2.5);");
        }

        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<StoreSchemaException>(() => new TicketDatabase(path));

        Assert.Contains($"{path} has no schema version for the tickets store and its tables are not those of version 1 (v0.1.0): table tickets has columns (id INTEGER, pos TEXT, total REAL)", e.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    private static string? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
