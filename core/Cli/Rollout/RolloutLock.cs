namespace Middleware.Cli.Rollout;

/// <summary>One roll-out at a time per scripts root: a lock file beside it, held open without sharing for the whole
/// deploy or rollback (a second one is refused at once, not queued).</summary>
internal static class RolloutLock
{
    public static FileStream Take(ScriptRootLink link)
    {
        var path = Path.Combine(link.Parent, $".{link.Name}.rollout.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException ex)
        {
            throw new IOException($"Another deploy or rollback of {link.Root} is running ({path} is held).", ex);
        }
    }
}
