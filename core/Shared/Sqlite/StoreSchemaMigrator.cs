using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Middleware.Storage;

/// <summary>
/// Brings a store to the schema this build writes, forward only, before anything else opens the file.
/// <para>
/// Why a <c>schema_version</c> table (one row per store) and not <c>PRAGMA user_version</c>: the payment journal's file
/// holds the sales too (the default), and one file number cannot version two stores that may also live apart. Why not
/// DbUp: five stores, a few steps each, run synchronously by the stores' constructors; an ordered list of SQL in code
/// with one transaction per step is all of it, and no journal of script names to keep consistent.
/// </para>
/// <list type="bullet">
/// <item>A file or store that does not exist yet is created at the latest version, in one transaction.</item>
/// <item>A store with no row whose tables are v0.1.0's (the same columns) is version 1: v0.1.0 wrote no version. A
/// table it lacks is created, as v0.1.0 itself did at every start (a file from before the sales journal existed).</item>
/// <item>Each later step runs in one transaction with its version written in it (a crash leaves the store at the
/// previous version or at the next, never between). Each is logged with the store, from, to and time taken.</item>
/// <item>Refused, file untouched (<see cref="StoreSchemaException"/>): a version newer than this build knows, a file that
/// is not SQLite, an unversioned store whose tables are not v0.1.0's.</item>
/// </list>
/// Shared source: linked into each assembly that keeps a SQLite store (core/Shared/Sqlite).
/// </summary>
internal static class StoreSchemaMigrator
{
    /// <summary>The table of the versions, one row per store of the file.</summary>
    public const string VersionTable = "schema_version";

    /// <summary>Migrates the <paramref name="schema"/> store of <paramref name="path"/>; returns the version it is at.
    /// <paramref name="sharing"/>: the stores that may live in the same file (the sales in the payment journal's), each
    /// refused when newer than this build knows before this store writes anything, so the file stays untouched.</summary>
    public static int Migrate(string path, StoreSchema schema, ILogger? logger = null, TimeProvider? time = null, IReadOnlyList<StoreSchema>? sharing = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        time ??= TimeProvider.System;
        var file = Path.GetFullPath(path);
        CheckHeader(file, schema);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        try
        {
            using var c = new SqliteConnection(connectionString);
            c.Open();
            while (true)
            {
                var started = time.GetTimestamp();
                // IMMEDIATE: a second process migrating the same file waits here, then sees the version this one wrote.
                using var tx = c.BeginTransaction(deferred: false);
                foreach (var other in sharing ?? [])
                {
                    ReadVersion(c, tx, other, file);
                }

                var current = ReadVersion(c, tx, schema, file);
                if (current == schema.Latest)
                {
                    return current.Value;
                }

                if (current is null && !HasAnyBaselineTable(c, tx, schema))
                {
                    foreach (var step in schema.Steps)
                    {
                        Execute(c, tx, step.Sql);
                    }

                    WriteVersion(c, tx, schema.Store, schema.Latest);
                    tx.Commit();
                    logger?.LogInformation("Store {Store} created in {Path} at schema version {Version} in {ElapsedMs} ms",
                        schema.Store, file, schema.Latest, Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1));
                    return schema.Latest;
                }

                int from, to;
                if (current is null)
                {
                    schema.AdoptLegacy?.Invoke(c, tx);
                    CheckBaselineShape(c, tx, schema, file);
                    (from, to) = (0, 1);
                }
                else
                {
                    (from, to) = (current.Value, current.Value + 1);
                }

                var next = schema.Steps[to - 1];
                Execute(c, tx, next.Sql);
                WriteVersion(c, tx, schema.Store, to);
                tx.Commit();
                logger?.LogInformation(
                    "Store {Store} in {Path} migrated from schema version {From} to {To} ({Description}) in {ElapsedMs} ms",
                    schema.Store, file, from, to, from == 0 ? "v0.1.0 file without a version recognised as version 1" : next.Description,
                    Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1));
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26)
        {
            // SQLITE_CORRUPT, SQLITE_NOTADB: a header that looked right over something else.
            throw new StoreSchemaException(
                $"{file} is not a usable SQLite database ({e.Message}); the {schema.Store} store refuses it. Restore it from a backup or move it away.", e);
        }
    }

    /// <summary>Refuses a non-empty file that does not start with SQLite's header, before SQLite opens it.</summary>
    private static void CheckHeader(string file, StoreSchema schema)
    {
        if (!File.Exists(file))
        {
            return;
        }

        Span<byte> header = stackalloc byte[16];
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (stream.Length == 0)
            {
                return; // SQLite takes an empty file as an empty database
            }

            if (stream.Length >= 100 && stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length
                && header.SequenceEqual("SQLite format 3\0"u8))
            {
                return;
            }
        }

        throw new StoreSchemaException(
            $"{file} is not a SQLite database (it does not start with SQLite's header); the {schema.Store} store refuses it. Restore it from a backup or move it away.");
    }

    /// <summary>The store's version, null when it has none; refuses one this build does not know.</summary>
    private static int? ReadVersion(SqliteConnection c, SqliteTransaction tx, StoreSchema schema, string file)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{VersionTable}'";
        if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        cmd.CommandText = $"SELECT version FROM {VersionTable} WHERE store = $s";
        cmd.Parameters.AddWithValue("$s", schema.Store);
        var value = cmd.ExecuteScalar();
        if (value is null or DBNull)
        {
            return null;
        }

        var version = value is long l ? l : -1;
        if (version > schema.Latest)
        {
            throw new StoreSchemaException(
                $"{file}: the {schema.Store} store is at schema version {version}, newer than the highest this build knows ({schema.Latest}). "
                + "A newer middleware wrote it; run that version, or restore the backup taken before the upgrade. The file was not changed.");
        }

        if (version < 1)
        {
            throw new StoreSchemaException(
                $"{file}: the {schema.Store} store has schema version '{value}' in {VersionTable}, which no build writes; the file was not changed.");
        }

        return (int)version;
    }

    private static bool HasAnyBaselineTable(SqliteConnection c, SqliteTransaction tx, StoreSchema schema)
    {
        var present = StoreSchemaShape.TableNames(c, tx);
        return schema.BaselineShape.Keys.Any(present.Contains);
    }

    /// <summary>Refuses an unversioned store with a table whose columns are not v0.1.0's.</summary>
    private static void CheckBaselineShape(SqliteConnection c, SqliteTransaction tx, StoreSchema schema, string file)
    {
        foreach (var (table, expected) in schema.BaselineShape)
        {
            var actual = StoreSchemaShape.Columns(c, tx, table);
            if (actual is not null && actual != expected)
            {
                throw new StoreSchemaException(
                    $"{file} has no schema version for the {schema.Store} store and its tables are not those of version 1 (v0.1.0): "
                    + $"table {table} has columns ({actual}), version 1 has ({expected}). The file was not changed.");
            }
        }
    }

    private static void WriteVersion(SqliteConnection c, SqliteTransaction tx, string store, int version)
    {
        Execute(c, tx, $"CREATE TABLE IF NOT EXISTS {VersionTable} (store TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;");
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {VersionTable} (store, version) VALUES ($s, $v) ON CONFLICT (store) DO UPDATE SET version = excluded.version";
        cmd.Parameters.AddWithValue("$s", store);
        cmd.Parameters.AddWithValue("$v", version);
        cmd.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection c, SqliteTransaction tx, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
