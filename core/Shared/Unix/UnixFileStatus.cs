using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Middleware.Shared.Unix;

/// <summary>Owner, group and mode of a path, without following a final symbolic link (<c>lstat</c>).</summary>
/// <param name="Uid">The owner's user id.</param>
/// <param name="Gid">The group id.</param>
/// <param name="Mode">The mode bits, type included (<c>st_mode</c>).</param>
internal readonly partial record struct UnixFileStatus(uint Uid, uint Gid, int Mode)
{
    private const int GroupWrite = 0x10; // 020
    private const int OtherWrite = 0x02; // 002

    /// <summary>True when the group or everyone may write it (a folder: create, rename, delete its entries).</summary>
    public bool WritableByOthers => (Mode & (GroupWrite | OtherWrite)) != 0;

    /// <summary>The permission bits only (0777).</summary>
    public int Permissions => Mode & 0x1FF;

    /// <summary>The status of <paramref name="path"/>, or null when it does not exist.</summary>
    /// <exception cref="IOException">lstat failed for another reason (a folder on the way not searchable...).</exception>
    [UnsupportedOSPlatform("windows")]
    public static UnixFileStatus? Read(string path)
    {
        // The runtime's own shim (libSystem.Native) returns a fixed, architecture-independent struct whose first four
        // fields are flags, mode, uid and gid: no per-architecture struct stat layout to get wrong. The buffer is
        // larger than the struct has ever been.
        Span<byte> buffer = stackalloc byte[512];
        if (NativeMethods.LStat(path, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is 2 or 20) // ENOENT, ENOTDIR
            {
                return null;
            }

            throw new IOException($"Cannot read the owner and mode of '{path}' (errno {errno}).");
        }

        var mode = MemoryMarshal.Read<int>(buffer[4..]);
        var uid = MemoryMarshal.Read<uint>(buffer[8..]);
        var gid = MemoryMarshal.Read<uint>(buffer[12..]);
        return new UnixFileStatus(uid, gid, mode);
    }

    /// <summary>The effective user id of this process.</summary>
    [UnsupportedOSPlatform("windows")]
    public static uint EffectiveUid => NativeMethods.GetEuid();

    private static partial class NativeMethods
    {
        [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int LStat(string path, ref byte output);

        [LibraryImport("libc", EntryPoint = "geteuid")]
        public static partial uint GetEuid();
    }
}
