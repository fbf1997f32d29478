namespace Middleware.Host;

/// <summary>How the host process runs.</summary>
internal enum HostMode
{
    /// <summary>A console program (Ctrl+C stops it).</summary>
    Console,

    /// <summary>A systemd service (Type=notify, journald-friendly console output).</summary>
    Systemd,

    /// <summary>A Windows service (started by the service control manager).</summary>
    WindowsService,
}

/// <summary>
/// Chooses the <see cref="HostMode"/>: the <c>Host:Mode</c> setting (<c>console</c>, <c>systemd</c>,
/// <c>windows-service</c>, or <c>auto</c> by default) wins; <c>auto</c> detects the service manager that started the
/// process. A mode that cannot run on this OS falls back to console with a reason to log.
/// </summary>
internal static class HostModeSelector
{
    public static (HostMode Mode, string? Warning) Select(string? configured, bool isWindows, bool startedByWindowsServiceManager, bool startedBySystemd)
    {
        var value = (configured ?? "auto").Trim().ToLowerInvariant();
        switch (value)
        {
            case "" or "auto":
                if (isWindows && startedByWindowsServiceManager)
                {
                    return (HostMode.WindowsService, null);
                }

                return !isWindows && startedBySystemd ? (HostMode.Systemd, null) : (HostMode.Console, null);
            case "console":
                return (HostMode.Console, null);
            case "systemd":
                return isWindows ? (HostMode.Console, "Host:Mode=systemd is ignored on Windows; running as a console program.") : (HostMode.Systemd, null);
            case "windows-service" or "windowsservice":
                return isWindows ? (HostMode.WindowsService, null) : (HostMode.Console, "Host:Mode=windows-service is ignored outside Windows; running as a console program.");
            default:
                return (HostMode.Console, $"Unknown Host:Mode '{configured}' (console, systemd, windows-service or auto); running as a console program.");
        }
    }
}
