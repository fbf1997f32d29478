namespace Middleware.Client.Connection;

/// <summary>
/// Where the client looks for the middleware's socket: the same default as the host's (core/Pipe, PipeAddress). An
/// absolute pipe name is the socket itself; otherwise <c>{folder}/{name}.sock</c> in
/// <see cref="MiddlewareClientOptions.SocketDirectory"/>, else in the first of <c>$XDG_RUNTIME_DIR/izly-middleware</c>,
/// <c>$RUNTIME_DIRECTORY</c>, <c>/run/izly-middleware</c> that holds it (a till often runs under another account
/// than the host, so it cannot know which one the host chose).
/// </summary>
internal static class ServerLocation
{
    private const string FolderName = "izly-middleware";

    /// <summary>What to give <c>NamedPipeClientStream</c>: the pipe name on Windows, the socket path elsewhere.</summary>
    public static string Resolve(MiddlewareClientOptions options)
    {
        if (OperatingSystem.IsWindows() || Path.IsPathRooted(options.PipeName))
        {
            return options.PipeName;
        }

        var fileName = options.PipeName + ".sock";
        if (!string.IsNullOrWhiteSpace(options.SocketDirectory))
        {
            return Path.Combine(options.SocketDirectory, fileName);
        }

        var candidates = Candidates().Select(folder => Path.Combine(folder, fileName)).ToList();
        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }

    /// <summary>The default folders, most specific first.</summary>
    public static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            yield return Path.Combine(xdg, FolderName);
        }

        if (Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } systemd && Path.IsPathRooted(systemd))
        {
            yield return systemd.Split(':')[0];
        }

        yield return Path.Combine("/run", FolderName);
        if (!Environment.IsPrivilegedProcess)
        {
            // The host's last resort without a runtime folder: run/ beside its executable (a host and a till started
            // from one build output, as the tests do).
            yield return Path.Combine(AppContext.BaseDirectory, "run");
        }
    }
}
