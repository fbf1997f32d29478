namespace Middleware.Tickets.Journal;

/// <summary>An archive of that name exists (an archive is never overwritten), or another export took the name meanwhile.</summary>
internal sealed class ArchiveNameTakenException(string fileName)
    : ArgumentException($"{fileName} exists: an archive is never overwritten (name another file)")
{
}
