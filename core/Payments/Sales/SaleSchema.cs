using Microsoft.Data.Sqlite;
using Middleware.Storage;

namespace Middleware.Payments.Sales;

/// <summary>The sales' schema (store "sales", in the payment journal's file by default), version by version. Version 1
/// is what v0.1.0 wrote.</summary>
internal static class SaleSchema
{
    public static readonly StoreSchema Schema = new("sales",
    [
        new SchemaStep(1, "v0.1.0: sales", Baseline),
    ], AdoptLegacy);

    private const string Baseline = """
        CREATE TABLE IF NOT EXISTS sales (
            id TEXT PRIMARY KEY,
            pos TEXT NOT NULL,
            open_request_id TEXT NOT NULL,
            state TEXT NOT NULL,
            payment_request_id TEXT,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 0,
            UNIQUE (pos, open_request_id));
        CREATE INDEX IF NOT EXISTS sales_unfinished ON sales(state) WHERE state IN ('Paying','Paid');
        CREATE INDEX IF NOT EXISTS sales_unticketed ON sales(state) WHERE state = 'PaidNoTicket';
        CREATE INDEX IF NOT EXISTS sales_refunding ON sales(state) WHERE state = 'Refunding';
        CREATE UNIQUE INDEX IF NOT EXISTS sales_payment ON sales(pos, payment_request_id) WHERE payment_request_id IS NOT NULL;
        """;

    /// <summary>Sales of development builds before v0.1.0 had no version column; v0.1.0 added it at start (version 0, as
    /// their bodies say).</summary>
    private static void AdoptLegacy(SqliteConnection c, SqliteTransaction tx)
    {
        var present = StoreSchemaShape.Columns(c, tx, "sales");
        if (present is not null && !present.Split(", ").Any(p => p.StartsWith("version ", StringComparison.Ordinal)))
        {
            using var alter = c.CreateCommand();
            alter.Transaction = tx;
            alter.CommandText = "ALTER TABLE sales ADD COLUMN version INTEGER NOT NULL DEFAULT 0";
            alter.ExecuteNonQuery();
        }
    }
}
