namespace Middleware.Cli.Rollout;

/// <summary>
/// <c>mwctl scripts rollback --to &lt;scripts root&gt;</c>: points the root back at <c>&lt;root&gt;.previous</c> in one
/// rename, and <c>.previous</c> at the version it leaves (a second rollback returns to it). Not checked again: that
/// version served before, and a rollback is what one does when the new one misbehaves, at once.
/// </summary>
internal sealed class ScriptRollback(TextWriter output)
{
    public int Run(string root)
    {
        var link = new ScriptRootLink(root);
        using var held = RolloutLock.Take(link);
        var current = link.TargetOf(link.Root);
        if (current is null)
        {
            output.WriteLine($"ERROR  {link.Root} is not a link to a version folder: it was not deployed with 'mwctl scripts deploy', nothing to roll back.");
            return 1;
        }

        var previous = link.TargetOf(link.Previous);
        if (previous is null || !Directory.Exists(previous))
        {
            output.WriteLine($"ERROR  no previous version ({link.Previous} {(previous is null ? "does not exist" : $"names {previous}, which is gone")}).");
            return 1;
        }

        link.Point(link.Root, previous);
        link.Point(link.Previous, current);
        output.WriteLine($"Rolled back {link.Root} to {Path.GetFileName(previous)}; {Path.GetFileName(current)} is now the previous version.");
        return 0;
    }
}
