namespace Middleware.Pipe.Server;

/// <summary>Where a pipe name lives on each OS.</summary>
public static class PipeAddress
{
    /// <summary>The runtime folder's name under <c>$XDG_RUNTIME_DIR</c> and <c>/run</c>.</summary>
    public const string FolderName = "izly-middleware";

    /// <summary>The socket's file name for a pipe name that is not a path.</summary>
    public static string SocketFileName(string pipeName) => pipeName + ".sock";

    /// <summary>The Unix socket of <paramref name="pipeName"/>: the name itself when it is an absolute path, otherwise
    /// <c>{socketDirectory}/{pipeName}.sock</c>, by default in <see cref="DefaultSocketDirectory"/>. Never in /tmp,
    /// where any account could put its own socket first.</summary>
    public static string UnixSocketPath(string pipeName, string? socketDirectory = null) =>
        Path.IsPathRooted(pipeName)
            ? pipeName
            : Path.Combine(string.IsNullOrWhiteSpace(socketDirectory) ? DefaultSocketDirectory(null) : socketDirectory, SocketFileName(pipeName));

    /// <summary>
    /// The private folder of the default socket: <c>$XDG_RUNTIME_DIR/izly-middleware</c> when set (a user's session),
    /// else the systemd unit's <c>RuntimeDirectory=</c> (<c>$RUNTIME_DIRECTORY</c>), else <c>/run/izly-middleware</c>
    /// for root, else <paramref name="fallback"/> (the host passes its installation's <c>run/</c> folder; without one,
    /// <c>run/</c> beside the executable).
    /// </summary>
    public static string DefaultSocketDirectory(string? fallback)
    {
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, FolderName);
        }

        if (Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } systemd && Path.IsPathRooted(systemd))
        {
            // systemd lists several folders separated by ':' when the unit names several; the first is ours.
            return systemd.Split(':')[0];
        }

        if (!OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess)
        {
            return Path.Combine("/run", FolderName);
        }

        return fallback ?? Path.Combine(AppContext.BaseDirectory, "run");
    }
}
