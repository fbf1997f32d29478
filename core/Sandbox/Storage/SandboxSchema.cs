using Middleware.Storage;

namespace Middleware.Sandbox.Storage;

/// <summary>The sandbox's own schema (store "sandbox"), version by version. Version 1 is what v0.1.0 wrote.</summary>
internal static class SandboxSchema
{
    public static readonly StoreSchema Schema = new("sandbox",
    [
        new SchemaStep(1, "v0.1.0: points of sale, right holders, cards, tickets, transactions, QR codes, web payments, Whiz orders", Baseline),
    ]);

    private const string Baseline = """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS points_of_sale (app_id TEXT PRIMARY KEY, installation_key TEXT NOT NULL,
                cle_izly TEXT NOT NULL, revoked INTEGER NOT NULL, tokens_not_before INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS right_holders (identifier TEXT PRIMARY KEY, user_public_id TEXT NOT NULL UNIQUE,
                first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL, password TEXT NOT NULL,
                balance INTEGER NOT NULL, id_company_rate INTEGER NOT NULL, id_rate INTEGER NOT NULL, due_date TEXT NOT NULL,
                account_status TEXT NOT NULL, blocking_status TEXT NOT NULL, anonymised INTEGER NOT NULL,
                loyalty_points INTEGER NOT NULL, qr_key BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS supports (id_support TEXT PRIMARY KEY, numero_applicatif TEXT NOT NULL,
                identifier TEXT NOT NULL, invalidated INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS tickets (app_id TEXT NOT NULL, id_ticket_entete TEXT NOT NULL, numero_ticket TEXT NOT NULL,
                vers_commande_en_ligne INTEGER NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (app_id, id_ticket_entete));
            CREATE UNIQUE INDEX IF NOT EXISTS ix_tickets_numero ON tickets (app_id, numero_ticket);
            CREATE TABLE IF NOT EXISTS transactions (id INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,
                client_order_id TEXT NOT NULL, identifier TEXT NOT NULL, amount INTEGER NOT NULL, status INTEGER NOT NULL,
                balance_after INTEGER NOT NULL, operation_date TEXT NOT NULL, means TEXT NOT NULL, id_support TEXT,
                qr_hash TEXT, sam_id TEXT, cancelled_at TEXT);
            CREATE UNIQUE INDEX IF NOT EXISTS ix_transactions_order ON transactions (app_id, client_order_id);
            CREATE TABLE IF NOT EXISTS used_qr_codes (qr_hash TEXT PRIMARY KEY, transaction_id INTEGER NOT NULL, used_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS web_payments (operation_id INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,
                client_order_id TEXT NOT NULL, amount INTEGER NOT NULL, callback_parameters TEXT, redirect_url TEXT,
                callback_url TEXT, message TEXT, status INTEGER NOT NULL, identifier TEXT, error_code TEXT, error_message TEXT,
                created_at TEXT NOT NULL, paid_at TEXT, session_token TEXT NOT NULL, callback_status INTEGER);
            CREATE TABLE IF NOT EXISTS whiz_orders (id_commande INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,
                numero_ticket TEXT NOT NULL, numero_appel INTEGER NOT NULL, statut TEXT NOT NULL, body TEXT NOT NULL,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        """;
}
