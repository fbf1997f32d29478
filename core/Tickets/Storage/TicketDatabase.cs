using Microsoft.Data.Sqlite;

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

/// <summary>The outbox SQLite file: schema and connections. WAL; the commit connection uses synchronous=FULL.</summary>
internal sealed class TicketDatabase
{
    private readonly string connectionString;

    public TicketDatabase(string path)
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
        using var c = Open(durable: true);
        Execute(c, Schema);
    }

    public string Path { get; }

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

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS pos_sequence (
            pos TEXT PRIMARY KEY, last_id INTEGER NOT NULL, day TEXT NOT NULL, day_seq INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS tickets (
            pos TEXT NOT NULL,
            id INTEGER NOT NULL,
            numero TEXT NOT NULL,
            request_id TEXT NOT NULL,
            committed_at TEXT NOT NULL,
            online INTEGER NOT NULL,
            body TEXT NOT NULL,
            sale TEXT NOT NULL,
            state INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NULL,
            error_code TEXT NULL,
            sent_at TEXT NULL,
            replays INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (pos, id)) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS ux_tickets_request ON tickets (pos, request_id);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_tickets_numero ON tickets (pos, numero);
        CREATE INDEX IF NOT EXISTS ix_tickets_state ON tickets (state, pos, id);
        CREATE TABLE IF NOT EXISTS ticket_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            pos TEXT NOT NULL,
            id INTEGER NOT NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            code TEXT NULL,
            message TEXT NULL);
        CREATE INDEX IF NOT EXISTS ix_ticket_events ON ticket_events (pos, id, seq);
        CREATE TABLE IF NOT EXISTS whiz_orders (
            pos TEXT NOT NULL,
            id_ticket INTEGER NOT NULL,
            body TEXT NOT NULL,
            state INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            id_commande TEXT NULL,
            numero_appel TEXT NULL,
            last_error TEXT NULL,
            PRIMARY KEY (pos, id_ticket)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS whiz_updates (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            pos TEXT NOT NULL,
            id_ticket INTEGER NOT NULL,
            status TEXT NOT NULL,
            state INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NULL);
        CREATE TABLE IF NOT EXISTS journal (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            pos TEXT NULL,
            ref TEXT NULL,
            body TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            signature TEXT NOT NULL,
            key_id TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_journal_ref ON journal (pos, ref, seq);
        CREATE INDEX IF NOT EXISTS ix_journal_kind ON journal (kind, pos, seq);
        CREATE TRIGGER IF NOT EXISTS journal_append_only_update BEFORE UPDATE ON journal
            BEGIN SELECT RAISE(ABORT, 'the sales journal is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS journal_append_only_delete BEFORE DELETE ON journal
            BEGIN SELECT RAISE(ABORT, 'the sales journal is append-only'); END;
        """;
}
