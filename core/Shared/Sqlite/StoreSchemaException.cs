namespace Middleware.Storage;

/// <summary>
/// A store file this build must not use: written by a newer version, not a SQLite database, or tables that are not the
/// schema its version says. The message names the file; the file is left as it was. Shared source (core/Shared/Sqlite).
/// </summary>
internal sealed class StoreSchemaException : InvalidOperationException
{
    public StoreSchemaException(string message)
        : base(message)
    {
    }

    public StoreSchemaException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
