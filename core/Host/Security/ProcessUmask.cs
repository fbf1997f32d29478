using System.Runtime.InteropServices;

namespace Middleware.Host.Security;

/// <summary>
/// Makes everything the host creates private to its account: sales, payments, tickets, logs and caches hold names,
/// e-mails, card numbers and QR texts. One process-wide umask covers every file the host and its libraries create
/// (SQLite's -wal and -shm, the log sink, the script cache...) whatever umask the service manager or shell gave it.
/// </summary>
internal static partial class ProcessUmask
{
    /// <summary>No group or other bits on new files and folders (077).</summary>
    public const uint Private = 0x3F;

    /// <summary>Sets the umask to <see cref="Private"/> on Unix and returns the one before (null on Windows).</summary>
    public static uint? MakePrivate() => OperatingSystem.IsWindows() ? null : umask(Private);

    [LibraryImport("libc")]
    private static partial uint umask(uint mask);
}
