using Middleware.Storage;

namespace Middleware.Tickets.Storage;

/// <summary>
/// The outbox file's schema (store "tickets": tickets, their events, numbering, Whiz queues, the signed sales journal
/// whose closings are entries too), version by version. Version 1 is what v0.1.0 wrote. A step that must rebuild the
/// journal table is out of this mechanism's reach: the table is append-only (its triggers refuse UPDATE and DELETE, and
/// its rows are hash-chained and signed), so such a change needs a journal archive and a new chain, not a migration.
/// </summary>
internal static class TicketSchema
{
    /// <summary>The journal's append-only guard (part of version 1; also re-created at every start).</summary>
    public const string AppendOnlyTriggers = """
        CREATE TRIGGER IF NOT EXISTS journal_append_only_update BEFORE UPDATE ON journal
            BEGIN SELECT RAISE(ABORT, 'the sales journal is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS journal_append_only_delete BEFORE DELETE ON journal
            BEGIN SELECT RAISE(ABORT, 'the sales journal is append-only'); END;
        """;

    public static readonly StoreSchema Schema = new("tickets",
    [
        new SchemaStep(1, "v0.1.0: tickets, events, numbering, Whiz queues, sales journal", Baseline),
    ]);

    private const string Baseline = """
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
