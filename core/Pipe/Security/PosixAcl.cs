using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Middleware.Pipe.Security;

/// <summary>
/// Writes a POSIX access ACL (the <c>system.posix_acl_access</c> attribute, what <c>setfacl</c> writes) that adds
/// named users to a file's owner/group/other bits: how <see cref="PipeServerOptions.AllowedUsers"/> reach the socket
/// without a shared group. Linux only.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class PosixAcl
{
    private const ushort UserObj = 0x01;
    private const ushort User = 0x02;
    private const ushort GroupObj = 0x04;
    private const ushort Mask = 0x10;
    private const ushort Other = 0x20;
    private const uint Undefined = uint.MaxValue;

    /// <summary>Sets the ACL of <paramref name="path"/>: the owner gets <paramref name="ownerPermissions"/>, its group
    /// <paramref name="groupPermissions"/>, each of <paramref name="users"/> <paramref name="userPermissions"/>
    /// (rwx = 4|2|1), others nothing.</summary>
    /// <exception cref="IOException">The file system has no ACLs (errno 95) or the call failed.</exception>
    public static void Set(string path, int ownerPermissions, int groupPermissions, IEnumerable<uint> users, int userPermissions)
    {
        var named = users.Distinct().Order().ToList();
        var entries = new List<(ushort Tag, ushort Permissions, uint Id)> { (UserObj, (ushort)ownerPermissions, Undefined) };
        entries.AddRange(named.Select(uid => (User, (ushort)userPermissions, uid)));
        entries.Add((GroupObj, (ushort)groupPermissions, Undefined));
        if (named.Count > 0)
        {
            entries.Add((Mask, (ushort)(userPermissions | groupPermissions), Undefined));
        }

        entries.Add((Other, 0, Undefined));
        var buffer = new byte[4 + (8 * entries.Count)];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, 2); // POSIX_ACL_XATTR_VERSION
        for (var i = 0; i < entries.Count; i++)
        {
            var at = buffer.AsSpan(4 + (8 * i));
            BinaryPrimitives.WriteUInt16LittleEndian(at, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], entries[i].Permissions);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], entries[i].Id);
        }

        if (setxattr(path, "system.posix_acl_access", buffer, (nuint)buffer.Length, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException(errno == 95
                ? $"The file system of '{path}' has no POSIX ACLs: Pipe:AllowedUsers needs them, or Pipe:AllowedGroup."
                : $"Cannot set the ACL of '{path}' (errno {errno}).");
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setxattr(string path, string name, byte[] value, nuint size, int flags);
}
