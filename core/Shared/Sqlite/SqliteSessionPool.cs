using Microsoft.Data.Sqlite;

namespace Middleware.Storage;

/// <summary>
/// The open connections of one SQLite file, kept per synchronous level (FULL for the writes a store documents as
/// durable, NORMAL for the rest), each with its statements prepared once (<see cref="SqliteSession"/>). An operation
/// rents a session, runs its prepared commands, marks it <see cref="SqliteSession.Complete"/> and disposes it: the
/// session goes back to the pool. Opening a pooled Microsoft.Data.Sqlite connection per operation compiled every
/// statement again on every call (sqlite3_prepare and its parser were a large part of the host's SQLite time).
/// <para>
/// Bounded: at most <c>maxConnectionsPerLevel</c> sessions per level exist at once; a rent beyond waits for one to come
/// back, at most the busy timeout, then fails with <see cref="TimeoutException"/>. Concurrent operations run on
/// distinct connections, so tills still read in parallel and write one after the other as SQLite's WAL allows, and a
/// transaction never sees another operation's commands. A session that was not completed (its operation threw: busy,
/// I/O error, corrupt file, cancelled) or that still holds a transaction is closed, never reused.
/// </para>
/// <para>
/// Every connection is opened once with the store's pragmas: journal_mode=WAL, its synchronous level, busy_timeout, and
/// with background checkpoints SQLite's auto-checkpoint off (<see cref="WalCheckpointer"/> copies the WAL instead).
/// Microsoft.Data.Sqlite's own pool is off: a failed handle must really be closed. Disposing the pool closes the idle
/// connections; the rented ones close when they come back, and an operation that starts later (still running at shutdown)
/// gets a connection of its own, closed after it. Shared source: linked into each assembly that keeps a
/// SQLite store (core/Shared/Sqlite).
/// </para>
/// </summary>
internal sealed class SqliteSessionPool : IDisposable
{
    private readonly string connectionString;
    private readonly string databasePath;
    private readonly TimeSpan rentTimeout;
    private readonly Level full;
    private readonly Level normal;
    private int opened;
    private volatile bool disposed;

    /// <param name="databasePath">The database file (created when missing).</param>
    /// <param name="busyTimeoutMilliseconds">SQLite's busy_timeout of every connection, also the longest wait for a free session.</param>
    /// <param name="backgroundCheckpoints">Turns SQLite's auto-checkpoint off: the store checkpoints with <see cref="WalCheckpointer"/>.</param>
    /// <param name="maxConnectionsPerLevel">How many connections each synchronous level may hold open at once.</param>
    /// <param name="commandTimeoutSeconds">How long Microsoft.Data.Sqlite keeps retrying a busy statement (its default, 30 s).</param>
    public SqliteSessionPool(string databasePath, int busyTimeoutMilliseconds, bool backgroundCheckpoints, int maxConnectionsPerLevel = 8, int commandTimeoutSeconds = 30)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentOutOfRangeException.ThrowIfNegative(busyTimeoutMilliseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnectionsPerLevel, 1);
        this.databasePath = databasePath;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = commandTimeoutSeconds,
        }.ToString();
        rentTimeout = TimeSpan.FromMilliseconds(Math.Max(busyTimeoutMilliseconds, 1000));
        var common = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=" + busyTimeoutMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";"
            + (backgroundCheckpoints ? WalCheckpointer.DisableAutoCheckpoint : "");
        full = new Level(durable: true, common + "PRAGMA synchronous=FULL;", maxConnectionsPerLevel);
        normal = new Level(durable: false, common + "PRAGMA synchronous=NORMAL;", maxConnectionsPerLevel);
    }

    /// <summary>How many connections this pool has opened so far (reuse shows as a figure that stops growing).</summary>
    public int ConnectionsOpened => Volatile.Read(ref opened);

    /// <summary>How many sessions of each level sit idle, ready for the next operation.</summary>
    public (int Full, int Normal) Idle => (full.IdleCount, normal.IdleCount);

    /// <summary>A session whose commits are synchronous=FULL when <paramref name="durable"/>, else NORMAL.</summary>
    public ValueTask<SqliteSession> RentAsync(bool durable, CancellationToken cancellationToken)
    {
        // Still served once disposed: a call that was already running at shutdown (a debit taken, its outcome still to
        // write) must complete; its connection is closed when it comes back (Return).
        var level = durable ? full : normal;
        cancellationToken.ThrowIfCancellationRequested();
        // A free slot is taken without waiting (and without a task); only a full level waits.
        return level.Slots.Wait(0, CancellationToken.None) ? ValueTask.FromResult(Take(level)) : RentSlowAsync(level, cancellationToken);
    }

    /// <summary>As <see cref="RentAsync"/>, for synchronous callers (a store's constructor, a batch writer's thread).</summary>
    public SqliteSession Rent(bool durable, CancellationToken cancellationToken = default)
    {
        var level = durable ? full : normal; // served once disposed, as RentAsync
        if (!level.Slots.Wait(rentTimeout, cancellationToken))
        {
            throw Exhausted(level);
        }

        return Take(level);
    }

    public void Dispose()
    {
        disposed = true;
        full.CloseIdle();
        normal.CloseIdle();
    }

    /// <summary>Called by a session's Dispose: kept for the next operation when <paramref name="reusable"/>, else closed.</summary>
    internal void Return(SqliteSession session, bool reusable)
    {
        var level = session.Durable ? full : normal;
        if (reusable && !disposed)
        {
            level.Push(session);
            // Disposed meanwhile: the idle list may have been emptied before this push.
            if (disposed)
            {
                level.CloseIdle();
            }
        }
        else
        {
            session.Close();
        }

        level.Slots.Release();
    }

    private async ValueTask<SqliteSession> RentSlowAsync(Level level, CancellationToken cancellationToken)
    {
        if (!await level.Slots.WaitAsync(rentTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw Exhausted(level);
        }

        return Take(level);
    }

    // Holds a slot: an idle session, or a new connection (the slot is given back if opening fails).
    private SqliteSession Take(Level level)
    {
        if (level.TryPop() is { } idle)
        {
            return idle.Rented();
        }

        SqliteConnection? connection = null;
        try
        {
            connection = new SqliteConnection(connectionString);
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = level.Pragmas;
                pragmas.ExecuteNonQuery();
            }

            Interlocked.Increment(ref opened);
            return new SqliteSession(this, connection, level.Durable).Rented();
        }
        catch
        {
            connection?.Dispose();
            level.Slots.Release();
            throw;
        }
    }

    private TimeoutException Exhausted(Level level) => new(
        $"All {level.Max} {(level.Durable ? "FULL" : "NORMAL")} connections to '{Path.GetFileName(databasePath)}' stayed busy for {rentTimeout.TotalSeconds:0.#} s.");

    private sealed class Level(bool durable, string pragmas, int max)
    {
        private readonly Lock gate = new();
        private readonly Stack<SqliteSession> idle = new(max);

        public bool Durable { get; } = durable;

        public string Pragmas { get; } = pragmas;

        public int Max { get; } = max;

        public SemaphoreSlim Slots { get; } = new(max, max);

        public int IdleCount
        {
            get
            {
                lock (gate)
                {
                    return idle.Count;
                }
            }
        }

        public SqliteSession? TryPop()
        {
            lock (gate)
            {
                return idle.TryPop(out var session) ? session : null;
            }
        }

        public void Push(SqliteSession session)
        {
            lock (gate)
            {
                idle.Push(session);
            }
        }

        public void CloseIdle()
        {
            while (TryPop() is { } session)
            {
                session.Close();
            }
        }
    }
}
