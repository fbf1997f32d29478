using Microsoft.Data.Sqlite;

namespace Middleware.Storage;

/// <summary>
/// The schema of one store (its tables in a SQLite file, which may hold other stores' tables too, as the payment
/// journal's file holds the sales): its name in <c>schema_version</c> and its ordered steps, the first being version 1.
/// Shared source (core/Shared/Sqlite).
/// </summary>
internal sealed class StoreSchema
{
    private readonly Lazy<IReadOnlyDictionary<string, string>> baselineShape;

    /// <param name="store">The store's name, its key in <c>schema_version</c> (e.g. "tickets").</param>
    /// <param name="steps">Versions 1, 2, 3... in order, with no gap.</param>
    /// <param name="adoptLegacy">For a file written before versions existed: brings the columns earlier development
    /// builds lacked up to v0.1.0, as v0.1.0 itself did at every start (idempotent; runs in the adoption's
    /// transaction, before the tables are compared with version 1).</param>
    public StoreSchema(string store, IReadOnlyList<SchemaStep> steps, Action<SqliteConnection, SqliteTransaction>? adoptLegacy = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentNullException.ThrowIfNull(steps);
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Version != i + 1)
            {
                throw new ArgumentException($"Schema step {i} of store {store} is version {steps[i].Version}, expected {i + 1}.", nameof(steps));
            }
        }

        if (steps.Count == 0)
        {
            throw new ArgumentException($"Store {store} has no schema step.", nameof(steps));
        }

        Store = store;
        Steps = steps;
        AdoptLegacy = adoptLegacy;
        baselineShape = new(() => StoreSchemaShape.Of(steps[0].Sql));
    }

    public string Store { get; }

    public IReadOnlyList<SchemaStep> Steps { get; }

    public Action<SqliteConnection, SqliteTransaction>? AdoptLegacy { get; }

    /// <summary>The highest version this build knows.</summary>
    public int Latest => Steps[^1].Version;

    /// <summary>Version 1's tables and their columns, as its baseline SQL makes them (computed once, in memory).</summary>
    public IReadOnlyDictionary<string, string> BaselineShape => baselineShape.Value;
}
