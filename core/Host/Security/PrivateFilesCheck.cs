using System.Runtime.Versioning;
using Middleware.Shared.Unix;

namespace Middleware.Host.Security;

/// <summary>
/// Refuses stores, keys, secrets and logs that another account could write or replace: the file or its folder has the
/// group or other write bit, or belongs to another user than the host's (root aside). Such a file could be swapped for
/// one that pays, tickets or logs what someone else chose. Missing store and log folders are created 0700.
/// </summary>
internal sealed class PrivateFilesCheck(uint hostUid)
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Checks every path; returns one message per problem (empty: all private). Does nothing on Windows,
    /// where the installation folder's ACL protects the files.</summary>
    public IReadOnlyList<string> Run(IEnumerable<PrivatePath> paths)
    {
        if (OperatingSystem.IsWindows())
        {
            return [];
        }

        var problems = new List<string>();
        var seenFolders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            Check(path, problems, seenFolders);
        }

        return problems;
    }

    [UnsupportedOSPlatform("windows")]
    private void Check(PrivatePath entry, List<string> problems, HashSet<string> seenFolders)
    {
        var folder = entry.Kind == PrivateFileKind.LogFolder ? entry.Path : Path.GetDirectoryName(entry.Path);
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        if (entry.Kind != PrivateFileKind.Secret)
        {
            PrivateFolder.Ensure(folder);
        }

        if (seenFolders.Add(folder) && UnixFileStatus.Read(folder) is { } folderStatus)
        {
            CheckOne(entry, folder, "folder", folderStatus, problems);
        }

        if (entry.Kind == PrivateFileKind.LogFolder)
        {
            return;
        }

        string[] files = entry.Kind == PrivateFileKind.Store ? [entry.Path, entry.Path + "-wal", entry.Path + "-shm", entry.Path + "-journal"] : [entry.Path];
        foreach (var file in files)
        {
            if (UnixFileStatus.Read(file) is not { } status)
            {
                continue;
            }

            if (CheckOne(entry, file, "file", status, problems) && entry.Kind == PrivateFileKind.Store
                && status.Uid == hostUid && ((UnixFileMode)status.Permissions & GroupOrOthers) != 0)
            {
                // A store written before the host made its files private: others may read it, so close it now.
                File.SetUnixFileMode(file, OwnerReadWrite);
            }
        }
    }

    private bool CheckOne(PrivatePath entry, string path, string what, UnixFileStatus status, List<string> problems)
    {
        if (status.WritableByOthers)
        {
            problems.Add($"{entry.Setting}: the {what} '{path}' may be written by other accounts (mode {Convert.ToString(status.Permissions, 8)}); remove the group and other write bits (chmod go-w).");
            return false;
        }

        if (status.Uid != hostUid && status.Uid != 0)
        {
            problems.Add($"{entry.Setting}: the {what} '{path}' belongs to another account (uid {status.Uid}), not to the host's (uid {hostUid}) nor root; chown it to the host's account.");
            return false;
        }

        return true;
    }
}
