using System.Runtime.InteropServices;

namespace Middleware.Cli.Rollout;

/// <summary>
/// The scripts root of a host as a roll-out keeps it: <c>&lt;root&gt;</c> is a symbolic link to one version folder
/// beside it (<c>&lt;root&gt;.v20261207-173000-1a2b</c>), <c>&lt;root&gt;.previous</c> a link to the version before. A
/// swap makes a new link under a temporary name and renames it onto the old one: rename(2) replaces it at once, so
/// the host reads either the old version or the new one, never a mix or nothing. Unix only (the links and rename).
/// </summary>
internal sealed partial class ScriptRootLink
{
    public ScriptRootLink(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        Parent = Path.GetDirectoryName(Root) ?? throw new ArgumentException($"'{root}' has no parent folder: the versions are kept beside it.");
        Name = Path.GetFileName(Root);
    }

    public string Root { get; }
    public string Parent { get; }
    public string Name { get; }
    public string Previous => Root + ".previous";

    /// <summary>Version folders are named <c>&lt;name&gt;.v&lt;UTC time&gt;-&lt;4 hex&gt;</c>, beside the root.</summary>
    public string VersionPrefix => Name + ".v";

    /// <summary>The version folder a link names (absolute), or null when <paramref name="link"/> is not a link.</summary>
    public string? TargetOf(string link)
    {
        var info = new FileInfo(link);
        return info.LinkTarget is { } target ? Path.GetFullPath(target, Parent) : null;
    }

    public bool RootIsLink => new FileInfo(Root).LinkTarget is not null;

    /// <summary>Points <paramref name="link"/> at <paramref name="versionFolder"/> (a sibling) in one rename.</summary>
    public void Point(string link, string versionFolder)
    {
        var temporary = Path.Combine(Parent, $".{Name}.swap-{Guid.NewGuid():N}");
        // Relative: the installation folder can move (or be mounted elsewhere) without breaking the link.
        File.CreateSymbolicLink(temporary, Path.GetRelativePath(Parent, versionFolder));
        if (Rename(temporary, link) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(temporary);
            throw new IOException($"Cannot rename the new link onto {link} (errno {errno}).");
        }
    }

    /// <summary>Moves a real folder (a root from before roll-outs) aside, as a version folder.</summary>
    public void MoveFolder(string from, string to)
    {
        if (Rename(from, to) != 0)
        {
            throw new IOException($"Cannot rename {from} to {to} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Rename(string from, string to);
}
