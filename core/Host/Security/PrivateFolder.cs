using System.Runtime.Versioning;

namespace Middleware.Host.Security;

/// <summary>Creates the host's own folders (data/, logs/) readable by its account only, whatever the umask.</summary>
internal static class PrivateFolder
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> (and missing parents) mode 0700 when it does not exist; an existing
    /// folder is left as the operator set it (the start-up check refuses one that others can write).</summary>
    public static void Ensure(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        CreateUnix(path);
    }

    [UnsupportedOSPlatform("windows")]
    private static void CreateUnix(string path)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
        if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
        {
            CreateUnix(parent);
        }

        Directory.CreateDirectory(path, OwnerOnly);
        // CreateDirectory's mode goes through the umask; set it again so 0700 holds under any umask.
        File.SetUnixFileMode(path, OwnerOnly);
    }
}
