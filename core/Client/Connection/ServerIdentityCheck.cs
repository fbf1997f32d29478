using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Middleware.Shared.Unix;

namespace Middleware.Client.Connection;

/// <summary>
/// Linux: checks that the process at the other end of the socket runs as the expected account (<c>SO_PEERCRED</c>,
/// filled by the kernel at connect time). Without it, any account able to put a socket at the path first could pose as
/// the middleware and collect card numbers and payments. Expected: <see cref="MiddlewareClientOptions.ExpectedServerUser"/>
/// when set; otherwise the till's own account, root, or the owner of the socket's folder when neither that folder nor
/// its parent may be written by others (so no other account could have made it).
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class ServerIdentityCheck
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private static readonly Lock PasswdLock = new();

    /// <summary>Throws <see cref="MiddlewareConnectionException"/> when the server's account is not the expected one.</summary>
    public static void Verify(nint fd, string socketPath, string? expectedUser)
    {
        var server = PeerUid(fd) ?? throw new MiddlewareConnectionException($"The middleware at '{socketPath}' was refused: its account could not be read (SO_PEERCRED).");
        var expected = Expected(socketPath, expectedUser);
        if (!expected.Contains(server))
        {
            throw new MiddlewareConnectionException(string.Create(CultureInfo.InvariantCulture,
                $"The process serving '{socketPath}' runs as uid {server}, not as the middleware's account (expected uid {string.Join(" or ", expected)}{(expectedUser is null ? string.Empty : $", ExpectedServerUser '{expectedUser}'")}); connection refused."));
        }
    }

    /// <summary>The uids accepted for the server of <paramref name="socketPath"/>.</summary>
    public static IReadOnlyList<uint> Expected(string socketPath, string? expectedUser)
    {
        if (!string.IsNullOrWhiteSpace(expectedUser))
        {
            return [UserId(expectedUser) ?? throw new MiddlewareConnectionException($"ExpectedServerUser '{expectedUser}' is not a known account.")];
        }

        var accepted = new List<uint> { UnixFileStatus.EffectiveUid, 0 };
        var folder = Path.GetDirectoryName(socketPath);
        var parent = folder is null ? null : Path.GetDirectoryName(folder);
        if (folder is not null && parent is not null
            && UnixFileStatus.Read(folder) is { WritableByOthers: false } folderStatus
            && UnixFileStatus.Read(parent) is { WritableByOthers: false })
        {
            accepted.Add(folderStatus.Uid);
        }

        return accepted.Distinct().ToList();
    }

    private static uint? PeerUid(nint fd)
    {
        var cred = default(UCred);
        var length = (uint)Marshal.SizeOf<UCred>();
        return getsockopt((int)fd, SolSocket, SoPeerCred, ref cred, ref length) == 0 ? cred.Uid : null;
    }

    private static uint? UserId(string nameOrId)
    {
        var trimmed = nameOrId.Trim();
        if (uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return uid;
        }

        lock (PasswdLock)
        {
            var entry = getpwnam(trimmed);
            return entry == 0 ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size); // after pw_name, pw_passwd
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

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getpwnam(string name);
}
