using Microsoft.Data.Sqlite;
using Middleware.Storage;

namespace Middleware.Pipe.Tests.Storage;

/// <summary>
/// The shared session pool on real SQLite files: a statement is prepared once per connection and found again on the next
/// operation; a connection whose operation failed (a real SQLITE_BUSY) or that still holds a transaction is closed, not
/// reused; a level never holds more than its bound; concurrent writers all land; disposing closes everything.
/// </summary>
public sealed class SqliteSessionPoolTests : IDisposable
{
    private const string CreateSql = "CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)";
    private const string InsertSql = "INSERT INTO t (k, v) VALUES (@k, @v)";
    private const string CountSql = "SELECT COUNT(*) FROM t";

    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-session-pool-tests", Guid.NewGuid().ToString("N"));
    private readonly string path;

    public SqliteSessionPoolTests()
    {
        Directory.CreateDirectory(dir);
        path = Path.Combine(dir, "store.db");
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task The_next_operation_gets_the_same_connection_and_the_same_prepared_command()
    {
        using var pool = NewPool();
        SqliteCommand first;
        SqliteSession firstSession;
        using (var session = await pool.RentAsync(durable: false, default))
        {
            first = Insert(session, 1, "a");
            firstSession = session;
            session.Complete();
        }

        using (var session = await pool.RentAsync(durable: false, default))
        {
            var again = Insert(session, 2, "b");
            Assert.Same(firstSession, session);
            Assert.Same(first, again);
            Assert.Same(first.Parameters[0], again.Parameters[0]);
            Assert.Equal(2, session.PreparedCount); // CREATE and INSERT, each once
            session.Complete();
        }

        Assert.Equal(1, pool.ConnectionsOpened);
        Assert.Equal(2L, Count(pool));
    }

    [Fact]
    public async Task Each_level_opens_with_the_stores_pragmas()
    {
        using var pool = new SqliteSessionPool(path, busyTimeoutMilliseconds: 4321, backgroundCheckpoints: true);

        using (var full = await pool.RentAsync(durable: true, default))
        {
            Assert.True(full.Durable);
            Assert.Equal(2L, Scalar(full.Connection, "PRAGMA synchronous")); // FULL
            Assert.Equal(4321L, Scalar(full.Connection, "PRAGMA busy_timeout"));
            Assert.Equal(0L, Scalar(full.Connection, "PRAGMA wal_autocheckpoint"));
            Assert.Equal("wal", Scalar(full.Connection, "PRAGMA journal_mode"));
            using var normal = await pool.RentAsync(durable: false, default);
            Assert.False(normal.Durable);
            Assert.Equal(1L, Scalar(normal.Connection, "PRAGMA synchronous")); // NORMAL
            normal.Complete();
            full.Complete();
        }

        using var withAutoCheckpoint = new SqliteSessionPool(Path.Combine(dir, "other.db"), busyTimeoutMilliseconds: 100, backgroundCheckpoints: false);
        using var session = withAutoCheckpoint.Rent(durable: false);
        Assert.Equal(1000L, Scalar(session.Connection, "PRAGMA wal_autocheckpoint"));
        session.Complete();
    }

    [Fact]
    public async Task A_connection_that_hit_sqlite_busy_is_closed_and_replaced()
    {
        using var pool = new SqliteSessionPool(path, busyTimeoutMilliseconds: 50, backgroundCheckpoints: true, commandTimeoutSeconds: 1);
        Count(pool); // creates the table
        SqliteSession failed;
        SqliteConnection failedConnection;
        await using (var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 1 }.ToString()))
        {
            other.Open();
            using var writer = other.BeginTransaction(deferred: false); // holds the write lock
            using var session = await pool.RentAsync(durable: false, default);
            failed = session;
            failedConnection = session.Connection;
            var ex = Assert.Throws<SqliteException>(() => Insert(session, 1, "x"));
            Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, ex.SqliteErrorCode);
        }

        Assert.Equal(System.Data.ConnectionState.Closed, failedConnection.State);
        using (var next = await pool.RentAsync(durable: false, default))
        {
            Assert.NotSame(failed, next);
            Insert(next, 1, "x");
            next.Complete();
        }

        Assert.Equal(2, pool.ConnectionsOpened);
        Assert.Equal(1L, Count(pool));
    }

    [Fact]
    public async Task A_connection_left_inside_a_transaction_is_not_reused_even_when_completed()
    {
        using var pool = NewPool();
        SqliteConnection leaked;
        using (var session = await pool.RentAsync(durable: true, default))
        {
            leaked = session.Connection;
            _ = session.Connection.BeginTransaction();
            session.Complete();
        }

        Assert.Equal(System.Data.ConnectionState.Closed, leaked.State);
        Assert.Equal((0, 0), pool.Idle);
        using var next = await pool.RentAsync(durable: true, default);
        Assert.NotSame(leaked, next.Connection);
        next.Complete();
    }

    [Fact]
    public async Task A_level_never_holds_more_than_its_bound_and_a_waiting_rent_gets_the_returned_session()
    {
        using var pool = new SqliteSessionPool(path, busyTimeoutMilliseconds: 1000, backgroundCheckpoints: true, maxConnectionsPerLevel: 2);
        var a = await pool.RentAsync(durable: false, default);
        var b = await pool.RentAsync(durable: false, default);
        var third = pool.RentAsync(durable: false, default).AsTask();
        using (var full = await pool.RentAsync(durable: true, default))
        {
            full.Complete(); // the other level has its own bound
        }

        Assert.False(third.IsCompleted);
        a.Complete();
        a.Dispose();
        var got = await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(a, got);
        Assert.Equal(3, pool.ConnectionsOpened);

        // Still full: a rent gives up after the wait bound, with a clear error.
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => pool.RentAsync(durable: false, default).AsTask());
        Assert.Contains("store.db", ex.Message, StringComparison.Ordinal);
        got.Complete();
        got.Dispose();
        b.Complete();
        b.Dispose();
    }

    [Fact]
    public async Task Eight_concurrent_writers_all_land_on_at_most_eight_connections_per_level()
    {
        using var pool = NewPool();
        Count(pool);
        const int writers = 8;
        const int rowsEach = 150;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < rowsEach; i++)
            {
                using var session = await pool.RentAsync(durable: i % 10 == 0, default);
                Insert(session, (w * rowsEach) + i, "w" + w);
                session.Complete();
            }
        })));

        Assert.Equal((long)writers * rowsEach, Count(pool));
        Assert.InRange(pool.ConnectionsOpened, 2, 2 * writers);
    }

    [Fact]
    public async Task A_statement_text_must_be_a_constant_of_the_store()
    {
        using var pool = NewPool();
        using var session = await pool.RentAsync(durable: false, default);
        for (var i = 0; i < SqliteSession.MaxStatements; i++)
        {
            session.Statement("SELECT " + i);
        }

        var ex = Assert.Throws<InvalidOperationException>(() => session.Statement("SELECT 'built from a value'"));
        Assert.Contains("constants", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_token_stops_a_rent_and_a_statement_before_they_run()
    {
        using var pool = NewPool();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.RentAsync(durable: false, cancelled.Token).AsTask());
        using var session = await pool.RentAsync(durable: false, default);
        Assert.Throws<OperationCanceledException>(() => SqliteSession.Execute(session.Statement("SELECT 1"), cancelled.Token));
        session.Complete();
    }

    [Fact]
    public async Task A_cancelled_token_interrupts_a_running_statement_and_its_connection_is_dropped()
    {
        using var pool = NewPool();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        SqliteConnection interrupted;
        using (var session = await pool.RentAsync(durable: false, default))
        {
            interrupted = session.Connection;
            var endless = session.Statement("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c");
            var started = DateTime.UtcNow;
            Assert.Throws<OperationCanceledException>(() => SqliteSession.Execute(endless, cancel.Token));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        }

        Assert.Equal(System.Data.ConnectionState.Closed, interrupted.State);
    }

    [Fact]
    public async Task Disposing_the_pool_closes_idle_connections_then_rented_ones_as_they_come_back()
    {
        var pool = NewPool();
        var idle = await pool.RentAsync(durable: false, default);
        var idleConnection = idle.Connection;
        idle.Complete();
        idle.Dispose();
        var rented = await pool.RentAsync(durable: true, default);

        pool.Dispose();

        Assert.Equal(System.Data.ConnectionState.Closed, idleConnection.State);
        Assert.Equal(System.Data.ConnectionState.Open, rented.Connection.State);
        rented.Complete();
        rented.Dispose();
        Assert.Equal(System.Data.ConnectionState.Closed, rented.Connection.State);
        // An operation still running at shutdown completes: it gets a connection of its own, closed when it comes back.
        var late = await pool.RentAsync(durable: false, default);
        Assert.Equal(System.Data.ConnectionState.Open, late.Connection.State);
        late.Complete();
        late.Dispose();
        Assert.Equal(System.Data.ConnectionState.Closed, late.Connection.State);
        Assert.Equal((0, 0), pool.Idle);
    }

    private SqliteSessionPool NewPool() => new(path, busyTimeoutMilliseconds: 5000, backgroundCheckpoints: true);

    private static SqliteCommand Insert(SqliteSession session, long key, string value)
    {
        SqliteSession.Execute(session.Statement(CreateSql), default);
        var insert = session.Statement(InsertSql, static p =>
        {
            p.Add("@k", SqliteType.Integer);
            p.Add("@v", SqliteType.Text);
        });
        insert.Parameters[0].Value = key;
        insert.Parameters[1].Value = value;
        Assert.Equal(1, SqliteSession.Execute(insert, default));
        return insert;
    }

    private static long Count(SqliteSessionPool pool)
    {
        using var session = pool.Rent(durable: false);
        SqliteSession.Execute(session.Statement(CreateSql), default);
        using var reader = SqliteSession.Read(session.Statement(CountSql), default);
        Assert.True(reader.Read());
        var count = reader.GetInt64(0);
        reader.Dispose();
        session.Complete();
        return count;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
