namespace Middleware.Host.Security;

/// <summary>What a private path holds, which says what the start-up check does with it.</summary>
internal enum PrivateFileKind
{
    /// <summary>A SQLite store: its folder is created 0700 when missing; the file, its -wal and -shm are checked and
    /// tightened to 0600 when they are ours and readable by others (stores made by an older version).</summary>
    Store,

    /// <summary>A key or secrets file the operator provides: checked, never created nor changed.</summary>
    Secret,

    /// <summary>A log folder: created 0700 when missing, checked.</summary>
    LogFolder,
}

/// <summary>One path the host keeps private, and the setting that names it (for the error message).</summary>
internal sealed record PrivatePath(string Setting, string Path, PrivateFileKind Kind);
