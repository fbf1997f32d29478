using Microsoft.Data.Sqlite;

namespace Middleware.Storage;

/// <summary>
/// Copies a SQLite WAL into its database file in the background, a short while after writes, instead of inside
/// whichever till's commit crosses SQLite's auto-checkpoint size: a checkpoint syncs the WAL and the database file (tens
/// of milliseconds on a busy disk), which made about one call in thirty wait for it. The stores open their connections
/// with <see cref="DisableAutoCheckpoint"/> and call <see cref="NoteWrite"/> after each commit.
/// <para>
/// PASSIVE checkpoints never block a writer or a reader; what one cannot copy yet (a reader still on an older snapshot)
/// is copied by the next. Durability does not change: a commit is durable once its WAL frames are, the checkpoint only
/// copies them. A failed checkpoint is skipped (the WAL grows until the next one); it never reaches the caller.
/// </para>
/// Shared source: linked into each assembly that keeps a SQLite store (core/Shared/Sqlite).
/// </summary>
internal sealed class WalCheckpointer
{
    /// <summary>Appended to the PRAGMAs of every connection that writes to the file.</summary>
    public const string DisableAutoCheckpoint = "PRAGMA wal_autocheckpoint=0;";

    private readonly string connectionString;
    private readonly TimeProvider time;
    private readonly TimeSpan delay;
    private readonly Lock gate = new();
    private ITimer? timer;

    /// <param name="databasePath">The database file (it must exist: a checkpoint never creates it).</param>
    /// <param name="time">Time source of the delay.</param>
    /// <param name="delay">How long after a write the checkpoint runs; writes meanwhile share it. Default 1 s.</param>
    public WalCheckpointer(string databasePath, TimeProvider time, TimeSpan? delay = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString();
        this.time = time;
        this.delay = delay ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>How many checkpoints ran (for tests and diagnostics).</summary>
    public int Checkpoints { get; private set; }

    /// <summary>Schedules a checkpoint <c>delay</c> from now unless one is already scheduled.</summary>
    public void NoteWrite()
    {
        lock (gate)
        {
            if (timer is null)
            {
                timer = time.CreateTimer(_ => Run(), null, delay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Run()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
        }

        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout=1000; PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            lock (gate)
            {
                Checkpoints++;
            }
        }
        catch (SqliteException)
        {
            // Skipped: the WAL only grows until the next checkpoint; commits are unaffected.
        }
        catch (IOException)
        {
        }
    }
}
