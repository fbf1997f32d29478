using SQLitePCL;

namespace Middleware.Storage;

/// <summary>
/// Process-wide SQLite settings, applied by a program's entry point before it opens any connection (SQLite reads them
/// only while it is not initialized: it is shut down, set and initialized again here).
/// Shared source: linked into the programs that run SQLite stores (the host, the sandbox, the benchmarks).
/// </summary>
internal static class SqliteProcessSettings
{
    /// <summary>
    /// Turns off SQLite's memory statistics, on by default in the bundled library. With them on, every allocation and
    /// free inside SQLite takes one process-wide mutex: threads running statements at the same time (the stores of
    /// several tills, the ticket writer, the checkpointers) queued on it, about 9 sleeps and wake-ups per sale in the
    /// sale benchmark. Nothing here reads those statistics. True when checked off: with an in-memory database open and
    /// written, the statistics still count no byte in use. False when SQLite refused the setting (it was already in
    /// use): the process then runs as before.
    /// </summary>
    public static bool DisableMemoryStatistics()
    {
        Batteries_V2.Init();
        raw.sqlite3_shutdown();
        var result = raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
        raw.sqlite3_initialize();
        if (result != raw.SQLITE_OK || raw.sqlite3_open(":memory:", out var probe) != raw.SQLITE_OK)
        {
            return false;
        }

        using (probe)
        {
            raw.sqlite3_exec(probe, "CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(1000));");
            return raw.sqlite3_memory_used() == 0;
        }
    }
}
