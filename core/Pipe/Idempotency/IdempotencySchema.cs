using Middleware.Storage;

namespace Middleware.Pipe.Idempotency;

/// <summary>The idempotency store's schema (store "idempotency"), version by version. Version 1 is what v0.1.0 wrote.</summary>
internal static class IdempotencySchema
{
    public static readonly StoreSchema Schema = new("idempotency",
    [
        new SchemaStep(1, "v0.1.0: first answers by point of sale and request id", """
            CREATE TABLE IF NOT EXISTS idempotency (
                point_of_sale TEXT NOT NULL,
                request_id TEXT NOT NULL,
                method TEXT NOT NULL,
                params_hash TEXT NOT NULL,
                is_error INTEGER NOT NULL,
                answer_json TEXT NOT NULL,
                created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (point_of_sale, request_id)
            );
            CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency(created_at_ms);
            """),
    ]);
}
