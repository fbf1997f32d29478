using Microsoft.Data.Sqlite;

namespace Middleware.Storage;

/// <summary>
/// The tables of a schema and their columns (name, type, NOT NULL, primary key position), as text one can compare:
/// how an unversioned file is recognised as v0.1.0's. Version 1's shape is computed by running its baseline SQL in an
/// in-memory database, so there is no second hand-written copy to drift. Shared source (core/Shared/Sqlite).
/// </summary>
internal static class StoreSchemaShape
{
    /// <summary>The shape <paramref name="baselineSql"/> creates.</summary>
    public static IReadOnlyDictionary<string, string> Of(string baselineSql)
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        using (var create = c.CreateCommand())
        {
            create.CommandText = baselineSql;
            create.ExecuteNonQuery();
        }

        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in TableNames(c, null))
        {
            tables[table] = Columns(c, null, table)!;
        }

        return tables;
    }

    /// <summary>The tables of the file (SQLite's own aside).</summary>
    public static List<string> TableNames(SqliteConnection c, SqliteTransaction? tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = cmd.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The columns of <paramref name="table"/> as one comparable line, or null when there is no such table.</summary>
    public static string? Columns(SqliteConnection c, SqliteTransaction? tx, string table)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info($t) ORDER BY name";
        cmd.Parameters.AddWithValue("$t", table);
        using var reader = cmd.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add($"{reader.GetString(0)} {reader.GetString(1)}{(reader.GetInt64(2) != 0 ? " NOT NULL" : "")}{(reader.GetInt64(3) != 0 ? $" PK{reader.GetInt64(3)}" : "")}");
        }

        return columns.Count == 0 ? null : string.Join(", ", columns);
    }
}
