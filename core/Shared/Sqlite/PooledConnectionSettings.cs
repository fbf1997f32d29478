using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Middleware.Storage;

/// <summary>
/// The per-connection PRAGMAs of a store (synchronous, busy_timeout, wal_autocheckpoint), applied to a pooled connection
/// only where they differ from what its SQLite handle already has. Microsoft.Data.Sqlite pools the handles, and a
/// PRAGMA set on one stays with it; running them again on every open compiled three statements per store call, about a
/// third of SQLite's CPU in a sale.
/// <para>
/// Keyed by the native handle, which a pooled connection keeps from one open to the next; a handle is used by one
/// caller at a time, so its entry needs no lock. Shared source: linked into each assembly that keeps a SQLite store
/// (core/Shared/Sqlite).
/// </para>
/// </summary>
internal static class PooledConnectionSettings
{
    private static readonly ConditionalWeakTable<sqlite3, Applied> Handles = new();

    /// <summary>
    /// Makes <paramref name="connection"/> (open) commit with synchronous=FULL when <paramref name="durable"/>, else
    /// NORMAL; the first time for its handle, also sets busy_timeout and, with <paramref name="backgroundCheckpoints"/>,
    /// turns SQLite's own auto-checkpoint off (<see cref="WalCheckpointer"/> copies the WAL instead).
    /// </summary>
    public static void Apply(SqliteConnection connection, bool durable, int busyTimeoutMilliseconds, bool backgroundCheckpoints)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var handle = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var applied = Handles.GetOrCreateValue(handle);
        if (applied.Durable == durable)
        {
            return;
        }

        var sql = durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
        if (applied.Durable is null)
        {
            sql = $"PRAGMA busy_timeout={busyTimeoutMilliseconds};" + (backgroundCheckpoints ? WalCheckpointer.DisableAutoCheckpoint : "") + sql;
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        applied.Durable = durable;
    }

    private sealed class Applied
    {
        public bool? Durable { get; set; }
    }
}
