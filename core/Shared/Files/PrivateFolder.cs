namespace Middleware.Shared.Files;

/// <summary>
/// Folders and files only the host's user may read or write: 0700 and 0600 on Unix, set explicitly whatever the
/// umask (and re-set on a folder that already exists with a wider mode).
/// </summary>
internal static class PrivateFolder
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        CreateMissing(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))));
        Directory.CreateDirectory(path, FolderMode);
        File.SetUnixFileMode(path, FolderMode);
    }

    /// <summary>Creates <paramref name="path"/> and its missing parents 0700; folders that exist are left as they are.
    /// The cache may be the first to make the installation's data/ (mwctl script test before the host's first start,
    /// under the operator's umask), and the host keeps an existing data/ as it finds it.</summary>
    public static void CreateMissing(string? path)
    {
        if (string.IsNullOrEmpty(path) || Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        CreateMissing(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))));
        Directory.CreateDirectory(path, FolderMode);
        File.SetUnixFileMode(path, FolderMode); // CreateDirectory's mode goes through the umask
    }

    public static FileStream CreateFile(string path, FileMode mode = FileMode.Create)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, FileMode0600);
        }

        return stream;
    }
}
