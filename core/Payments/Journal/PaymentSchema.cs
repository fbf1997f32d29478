using Microsoft.Data.Sqlite;
using Middleware.Storage;

namespace Middleware.Payments.Journal;

/// <summary>The payment journal's schema (store "payments"), version by version. Version 1 is what v0.1.0 wrote.</summary>
internal static class PaymentSchema
{
    public static readonly StoreSchema Schema = new("payments",
    [
        new SchemaStep(1, "v0.1.0: payments", Baseline),
        // A reconciliation lists a point of sale's payments of one day (ListCreatedBetweenAsync); without this index it
        // read every payment of every point of sale since the install. Inserts only: created_at never changes.
        new SchemaStep(2, "index payments_pos_created for a point of sale's payments by creation time",
            "CREATE INDEX IF NOT EXISTS payments_pos_created ON payments(pos, created_at);"),
    ], AdoptLegacy);

    private const string Baseline = """
        CREATE TABLE IF NOT EXISTS payments (
            pos TEXT NOT NULL,
            request_id TEXT NOT NULL,
            client_order_id TEXT NOT NULL UNIQUE,
            sale_id TEXT,
            channel TEXT NOT NULL,
            amount TEXT NOT NULL,
            medium_json TEXT,
            state TEXT NOT NULL,
            id_transaction TEXT,
            balance_after TEXT,
            error_code INTEGER,
            error_detail TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_attempt_at TEXT,
            refund_requested_at TEXT,
            terminal_report TEXT,
            resolved_by TEXT,
            PRIMARY KEY (pos, request_id));
        CREATE INDEX IF NOT EXISTS payments_open ON payments(state) WHERE state IN ('Pending','Unknown');
        CREATE INDEX IF NOT EXISTS payments_sale ON payments(sale_id);
        CREATE INDEX IF NOT EXISTS payments_refunding ON payments(refund_requested_at) WHERE refund_requested_at IS NOT NULL;
        """;

    /// <summary>Journals of development builds before v0.1.0 lacked these columns; v0.1.0 added them at start.</summary>
    private static void AdoptLegacy(SqliteConnection c, SqliteTransaction tx)
    {
        var present = StoreSchemaShape.Columns(c, tx, "payments");
        if (present is null)
        {
            return;
        }

        foreach (var column in new[] { "refund_requested_at", "terminal_report", "resolved_by" })
        {
            if (!present.Split(", ").Any(p => p.StartsWith(column + " ", StringComparison.Ordinal)))
            {
                using var alter = c.CreateCommand();
                alter.Transaction = tx;
                alter.CommandText = "ALTER TABLE payments ADD COLUMN " + column + " TEXT";
                alter.ExecuteNonQuery();
            }
        }
    }
}
