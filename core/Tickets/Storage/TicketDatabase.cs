using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Middleware.Storage;

namespace Middleware.Tickets.Storage;

/// <summary>Ticket states in the outbox.</summary>
public enum TicketState
{
    /// <summary>Committed, waiting for VEM.</summary>
    Pending = 0,

    /// <summary>VEM has it (integrated or duplicate).</summary>
    Sent = 1,

    /// <summary>VEM refused it (422): kept, visible, replayable after a fix.</summary>
    Dead = 2,
}

/// <summary>What happened to a ticket after its commit (<c>ticket_events.kind</c>): upload outcomes and replays.</summary>
internal static class TicketEventKinds
{
    public const string Replayed = "Replayed";
    public const string Remapped = "ReplayedRemapped";

    /// <summary>Adds one event in <paramref name="tx"/> (the transaction that changes the ticket's state).</summary>
    public static void Add(SqliteConnection c, SqliteTransaction tx, string pos, long id, string at, string kind, string? code, string? message)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO ticket_events (pos, id, at, kind, code, message) VALUES ($p, $id, $at, $k, $c, $m)";
        cmd.Parameters.AddWithValue("$p", pos);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$at", at);
        cmd.Parameters.AddWithValue("$k", kind);
        cmd.Parameters.AddWithValue("$c", (object?)code ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$m", (object?)message ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }
}

/// <summary>The outbox SQLite file: schema and connections. WAL; the commit connection uses synchronous=FULL. The ticket
/// writer's kept connection comes from <see cref="Sessions"/> (its statements prepared once); the colder paths open one
/// with <see cref="Open"/>.</summary>
internal sealed class TicketDatabase
{
    private const int BusyTimeoutMilliseconds = 30000;
    private readonly string connectionString;

    /// <summary>Opens the outbox file, migrated to this build's schema first (<see cref="StoreSchemaMigrator"/>): a file
    /// a newer version wrote, or that is not the outbox's, is refused before anything else touches it.</summary>
    public TicketDatabase(string path, ILogger? logger = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        StoreSchemaMigrator.Migrate(Path, TicketSchema.Schema, logger);
        // The writer's: synchronous=FULL, without SQLite's inline auto-checkpoint (the ticket service checkpoints in the
        // background). Opened on first use.
        Sessions = new SqliteSessionPool(Path, BusyTimeoutMilliseconds, backgroundCheckpoints: true, maxConnectionsPerLevel: 2);
        using var c = Open(durable: true);
        // As v0.1.0 did at every start: a guard dropped by hand (the tamper tests' attacker) is back after a restart.
        Execute(c, TicketSchema.AppendOnlyTriggers);
    }

    public string Path { get; }

    /// <summary>Kept connections with prepared statements, for the ticket commit.</summary>
    public SqliteSessionPool Sessions { get; }

    /// <summary>A new open connection. <paramref name="durable"/>: synchronous=FULL (commits acknowledged to tills);
    /// else NORMAL (sender bookkeeping, safe to redo after a crash since VEM dedups).</summary>
    public SqliteConnection Open(bool durable)
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        Execute(c, durable
            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;"
            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return c;
    }

    public static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
