using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Middleware.Pipe.Security;

/// <summary>User and group ids from names (the password and group databases), and <c>chown</c>.</summary>
[UnsupportedOSPlatform("windows")]
internal static partial class UnixAccounts
{
    private static readonly Lock DatabaseLock = new();

    /// <summary>The uid of a user name or numeric id, or null when unknown.</summary>
    public static uint? UserId(string nameOrId) => IdOf(nameOrId, getpwnam);

    /// <summary>The gid of a group name or numeric id, or null when unknown.</summary>
    public static uint? GroupId(string nameOrId) => IdOf(nameOrId, getgrnam);

    /// <summary>Gives <paramref name="path"/> to group <paramref name="gid"/> (owner unchanged).</summary>
    /// <exception cref="IOException">chown failed (the host's account is not a member of the group...).</exception>
    public static void ChangeGroup(string path, uint gid)
    {
        if (lchown(path, uint.MaxValue, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot give '{path}' to group {gid} (errno {errno}{(errno == 1 ? ": the host's account must be a member of Pipe:AllowedGroup" : string.Empty)}).");
        }
    }

    private static uint? IdOf(string nameOrId, Func<string, nint> lookUp)
    {
        var trimmed = nameOrId.Trim();
        if (uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        if (trimmed.Length == 0)
        {
            return null;
        }

        // getpwnam/getgrnam return a static buffer: serialise the callers. In both structs the id follows two
        // pointers (name, password).
        lock (DatabaseLock)
        {
            var entry = lookUp(trimmed);
            return entry == 0 ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getpwnam(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getgrnam(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int lchown(string path, uint owner, uint group);
}
