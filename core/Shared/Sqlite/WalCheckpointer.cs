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
/// <para>
/// A PASSIVE checkpoint copies the frames, but only a commit that begins while the WAL is wholly copied and no reader
/// is on it starts the WAL over. Under a steady stream of commits that moment did not come: the WAL grew by about 20 MB
/// a second without end (700 MB in a 10-minute benchmark, slower reads as it grew). Once the WAL holds more than <c>restartAboveFrames</c> frames, the
/// checkpoint is a RESTART: it waits (at most 50 ms, writers waiting meanwhile) until no reader uses the WAL, so that the
/// next commit writes from the start of the file again. The file keeps its size and is reused.
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
    private readonly long restartAboveFrames;
    private readonly Lock gate = new();
    private ITimer? timer;

    /// <param name="databasePath">The database file (it must exist: a checkpoint never creates it).</param>
    /// <param name="time">Time source of the delay.</param>
    /// <param name="delay">How long after a write the checkpoint runs; writes meanwhile share it. Default 1 s.</param>
    /// <param name="restartAboveFrames">WAL frames past which the checkpoint restarts the WAL. Default 16,384 (64 MiB of
    /// 4 KiB pages): a restart makes the commits running meanwhile wait for it (about a disk sync), so it is kept rare,
    /// once every few seconds at the benchmark's full speed, well under one sale in a hundred.</param>
    public WalCheckpointer(string databasePath, TimeProvider time, TimeSpan? delay = null, long restartAboveFrames = 16_384)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(restartAboveFrames);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString();
        this.time = time;
        this.delay = delay ?? TimeSpan.FromSeconds(1);
        this.restartAboveFrames = restartAboveFrames;
    }

    /// <summary>How many checkpoints ran (for tests and diagnostics).</summary>
    public int Checkpoints { get; private set; }

    /// <summary>How many checkpoints left the WAL to be started over by the next commit.</summary>
    public int Restarts { get; private set; }

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
            command.CommandText = "PRAGMA busy_timeout=1000;";
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            var frames = WalFrames(command);
            var restarted = false;
            if (frames > restartAboveFrames)
            {
                command.CommandText = "PRAGMA busy_timeout=50;";
                command.ExecuteNonQuery();
                command.CommandText = "PRAGMA wal_checkpoint(RESTART);";
                restarted = Busy(command) == 0;
            }

            lock (gate)
            {
                Checkpoints++;
                Restarts += restarted ? 1 : 0;
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

    /// <summary>Runs a checkpoint; the frames in the WAL (its "log" column).</summary>
    private static long WalFrames(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetInt64(1) : 0;
    }

    /// <summary>Runs a checkpoint; 1 when it could not finish in time (its "busy" column).</summary>
    private static long Busy(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetInt64(0) : 1;
    }
}
