using Microsoft.Data.Sqlite;
using Middleware.Storage;

namespace Middleware.Pipe.Tests.Storage;

public sealed class PooledConnectionSettingsTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "mw-pragma-tests", Guid.NewGuid().ToString("N") + ".db");

    public PooledConnectionSettingsTests() => Directory.CreateDirectory(Path.GetDirectoryName(path)!);

    [Fact]
    public void A_pooled_handle_gets_the_asked_synchronous_mode_and_its_first_open_settings_once()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

        using (var first = Open(connectionString))
        {
            PooledConnectionSettings.Apply(first, durable: true, busyTimeoutMilliseconds: 4321, backgroundCheckpoints: true);
            Assert.Equal(2L, Scalar(first, "PRAGMA synchronous")); // FULL
            Assert.Equal(4321L, Scalar(first, "PRAGMA busy_timeout"));
            Assert.Equal(0L, Scalar(first, "PRAGMA wal_autocheckpoint"));
        }

        using (var again = Open(connectionString))
        {
            PooledConnectionSettings.Apply(again, durable: false, busyTimeoutMilliseconds: 4321, backgroundCheckpoints: true);
            Assert.Equal(1L, Scalar(again, "PRAGMA synchronous")); // NORMAL, on the same pooled handle
            // Changed behind the helper's back (stores never do): the next open asking NORMAL trusts what it set.
            Scalar(again, "PRAGMA synchronous=FULL");
        }

        using var third = Open(connectionString);
        PooledConnectionSettings.Apply(third, durable: false, busyTimeoutMilliseconds: 4321, backgroundCheckpoints: true);
        Assert.Equal(2L, Scalar(third, "PRAGMA synchronous")); // nothing was run: the handle was already NORMAL for it
        PooledConnectionSettings.Apply(third, durable: true, busyTimeoutMilliseconds: 4321, backgroundCheckpoints: true);
        Assert.Equal(2L, Scalar(third, "PRAGMA synchronous"));
        PooledConnectionSettings.Apply(third, durable: false, busyTimeoutMilliseconds: 4321, backgroundCheckpoints: true);
        Assert.Equal(1L, Scalar(third, "PRAGMA synchronous"));
    }

    [Fact]
    public void Without_background_checkpoints_sqlites_auto_checkpoint_is_left_on()
    {
        using var connection = Open(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());

        PooledConnectionSettings.Apply(connection, durable: false, busyTimeoutMilliseconds: 100, backgroundCheckpoints: false);

        Assert.Equal(1000L, Scalar(connection, "PRAGMA wal_autocheckpoint"));
        Assert.Equal(100L, Scalar(connection, "PRAGMA busy_timeout"));
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(path);
    }
}
