namespace Middleware.Plugins.Tetra.Link;

/// <summary>
/// What one link's line carries over from one exchange to the next: whether the last exchange left it clean, i.e. it
/// ended as scripted with the terminal's EOT right after our ACK of its whole answer, nothing else heard. Then nothing
/// of that exchange is still due and the next one may skip <see cref="ConcertLink"/>'s drain (30 ms of quiet a
/// read); any other ending leaves it unclean, and an exchange that starts makes it unclean until it ends clean, so a
/// failure, a cancel or a crash mid-exchange never leaves a stale "clean". Owned by whoever owns the link (the plugin,
/// one per link it is given); one exchange at a time uses it.
/// </summary>
internal sealed class ConcertLineState
{
    private int _clean;

    /// <summary>Whether the line was clean, leaving it unclean: called when an exchange starts, before anything is
    /// sent.</summary>
    public bool TakeClean() => Interlocked.Exchange(ref _clean, 0) == 1;

    /// <summary>The exchange that took the state ended clean.</summary>
    public void MarkClean() => Volatile.Write(ref _clean, 1);
}
