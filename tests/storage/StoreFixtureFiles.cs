using Microsoft.Data.Sqlite;

namespace Middleware.Tests.Storage;

/// <summary>
/// The v0.1.0 store files of a test project (Fixtures/v0.1.0, written by v0.1.0's own store code and copied to the
/// test output), copied to a fresh folder for each test so the committed files are never opened in place.
/// Linked into each store's test project (tests/storage).
/// </summary>
internal static class StoreFixtureFiles
{
    /// <summary>A new temporary folder holding a copy of every v0.1.0 fixture file of this test project.</summary>
    public static string CopyV010(string prefix)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "v0.1.0");
        var files = Directory.GetFiles(source);
        if (files.Length == 0)
        {
            throw new InvalidOperationException($"No fixture in {source}.");
        }

        var dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var file in files)
        {
            var copy = Path.Combine(dir, Path.GetFileName(file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                // A clone has them 0644; the host keeps its stores and the journal key 0600 and refuses a key others may read.
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return dir;
    }

    /// <summary>Writes <paramref name="version"/> as <paramref name="store"/>'s schema version, as a newer build would,
    /// and closes the file (its WAL copied in, so the main file alone holds it).</summary>
    public static void SetVersion(string path, string store, long version)
    {
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_version (store TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO schema_version (store, version) VALUES ($s, $v) ON CONFLICT (store) DO UPDATE SET version = excluded.version;
                PRAGMA wal_checkpoint(TRUNCATE);
                """;
            cmd.Parameters.AddWithValue("$s", store);
            cmd.Parameters.AddWithValue("$v", version);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The version <paramref name="store"/> has in <paramref name="path"/>, or null (none, or no version table).</summary>
    public static long? VersionOf(string path, string store)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'";
        if ((long)cmd.ExecuteScalar()! == 0)
        {
            return null;
        }

        cmd.CommandText = "SELECT version FROM schema_version WHERE store = $s";
        cmd.Parameters.AddWithValue("$s", store);
        return cmd.ExecuteScalar() as long?;
    }

    /// <summary>Deletes the folder (pooled connections still open on Linux do not stop it). Never clears every pool: that
    /// would close other tests' connections and checkpoint their WALs under them.</summary>
    public static void Delete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
