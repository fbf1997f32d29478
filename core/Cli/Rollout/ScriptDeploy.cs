using System.Globalization;
using System.Security.Cryptography;
using Middleware.Scripting.Rollout;

namespace Middleware.Cli.Rollout;

/// <summary>
/// <c>mwctl scripts deploy &lt;folder&gt; --to &lt;scripts root&gt;</c>: copies the folder into a new version folder beside
/// the root, checks the copy (<see cref="ScriptFolderCheck"/>: what will serve is what was checked), then points the
/// root at it in one rename and keeps the version before as <c>&lt;root&gt;.previous</c>. A folder that fails the check
/// is never deployed: its copy is removed and the root is left as it was. The host's script watcher sees the swap
/// (it watches the root's name in its parent folder) and reloads.
/// </summary>
internal sealed class ScriptDeploy(TextWriter output, TimeProvider time)
{
    /// <summary>Version folders kept besides the current and the previous one.</summary>
    public const int KeptVersions = 5;

    public int Run(string source, string root)
    {
        var link = new ScriptRootLink(root);
        var sourceRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source));
        if (Inside(sourceRoot, link.Root) || Inside(link.Root, sourceRoot) || Inside(sourceRoot, link.TargetOf(link.Root)))
        {
            output.WriteLine($"ERROR  the folder to deploy ({sourceRoot}) and the scripts root ({link.Root}) overlap: deploy from a separate checkout.");
            return 2;
        }

        if (!Directory.Exists(link.Parent))
        {
            output.WriteLine($"ERROR  {link.Parent} does not exist: --to names the scripts root of an installation (its parent must exist).");
            return 2;
        }

        using var held = RolloutLock.Take(link);
        ScriptTree tree;
        try
        {
            tree = ScriptTree.Read(sourceRoot);
        }
        catch (ScriptTreeException ex)
        {
            output.WriteLine($"FAIL  {ex.Message}");
            output.WriteLine($"NOT deployed: {link.Root} is unchanged.");
            return 1;
        }

        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var version = Path.Combine(link.Parent, $"{link.VersionPrefix}{stamp}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}");
        output.WriteLine($"Copying {tree.Files.Count} file(s) of {sourceRoot} to {version}");
        Copy(tree, version);

        output.WriteLine($"Checking {version}");
        var report = ScriptFolderCheck.Run(version, output);
        if (!report.Passed)
        {
            Directory.Delete(version, recursive: true);
            output.WriteLine($"NOT deployed: {link.Root} is unchanged.");
            return 1;
        }

        var current = link.TargetOf(link.Root);
        if (current is null && Directory.Exists(link.Root))
        {
            // The first roll-out to a root that is a real folder: it becomes a version folder (the previous one).
            // This one time the root is missing between two renames; the watcher's debounce covers that instant.
            current = Path.Combine(link.Parent, $"{link.VersionPrefix}{stamp}-before");
            link.MoveFolder(link.Root, current);
        }

        link.Point(link.Root, version);
        if (current is not null)
        {
            link.Point(link.Previous, current);
        }

        Prune(link, version, current);
        output.WriteLine($"Deployed {Path.GetFileName(version)} to {link.Root}{(current is null ? "" : $"; previous version {Path.GetFileName(current)} ('mwctl scripts rollback --to {link.Root}' returns to it)")}.");
        return 0;
    }

    private static void Copy(ScriptTree tree, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var directory in tree.Directories)
        {
            Directory.CreateDirectory(Path.Combine(target, directory));
        }

        foreach (var file in tree.Files)
        {
            // A link inside the folder becomes a copy of its file: the version folder holds no link at all.
            File.Copy(file.SourcePath, Path.Combine(target, file.RelativePath));
        }
    }

    private static void Prune(ScriptRootLink link, string current, string? previous)
    {
        var versions = Directory.GetDirectories(link.Parent, link.VersionPrefix + "*")
            .Where(d => new FileInfo(d).LinkTarget is null)
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToList();
        foreach (var old in versions.Skip(KeptVersions).Where(d => d != current && d != previous))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static bool Inside(string folder, string? other) =>
        other is not null && (folder == other || folder.StartsWith(other + Path.DirectorySeparatorChar, StringComparison.Ordinal));
}
