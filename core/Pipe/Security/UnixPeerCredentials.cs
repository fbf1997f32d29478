using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Middleware.Pipe.Security;

/// <summary>
/// Reads who is connected on a Unix domain socket: <c>SO_PEERCRED</c> on Linux, <c>getpeereid</c> on macOS/BSD.
/// The kernel fills these at connect time, so a client cannot lie about them.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static partial class UnixPeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private static readonly Lock PasswdLock = new();

    public static uint CurrentUid => geteuid();

    /// <summary>The peer of the connected socket <paramref name="fd"/>, or null if the OS would not say.</summary>
    public static PeerIdentity? TryGetPeer(nint fd)
    {
        uint uid;
        var pid = 0;
        if (OperatingSystem.IsLinux())
        {
            var cred = default(UCred);
            var length = (uint)Marshal.SizeOf<UCred>();
            if (getsockopt((int)fd, SolSocket, SoPeerCred, ref cred, ref length) != 0)
            {
                return null;
            }

            uid = cred.Uid;
            pid = cred.Pid;
        }
        else
        {
            if (getpeereid((int)fd, out uid, out _) != 0)
            {
                return null;
            }
        }

        return new PeerIdentity(uid, UserNameOf(uid), pid);
    }

    /// <summary>The user name of <paramref name="uid"/> from the password database, or null.</summary>
    public static string? UserNameOf(uint uid)
    {
        // getpwuid returns a static buffer: serialise its callers.
        lock (PasswdLock)
        {
            var entry = getpwuid(uid);
            if (entry == 0)
            {
                return null;
            }

            var namePointer = Marshal.ReadIntPtr(entry);
            return namePointer == 0 ? null : Marshal.PtrToStringUTF8(namePointer);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int socket, int level, int optionName, ref UCred optionValue, ref uint optionLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpeereid(int socket, out uint euid, out uint egid);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial nint getpwuid(uint uid);
}
