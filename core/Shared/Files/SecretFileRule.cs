namespace Middleware.Shared.Files;

/// <summary>
/// The rule for a file that holds keys or secrets: it exists and, on Unix, neither its group nor others may read,
/// write or run it (mode 600 or 400). A key readable by another account is a leaked key. Used where the file is loaded
/// and by the start-time checks, so both say the same.
/// </summary>
internal static class SecretFileRule
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>What is wrong with <paramref name="path"/> as a secret file ("does not exist", "is readable … (mode
    /// 644); run 'chmod 600' on it."), or null when it is fine. Never reads the content.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
        {
            return "does not exist.";
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & GroupOrOthers) != 0
            ? $"is readable or writable by group or others (mode {Convert.ToString((int)mode, 8)}); run 'chmod 600' on it."
            : null;
    }
}
