using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>A file descriptor closed exactly once, and only after the last system call using it has returned (a
/// descriptor number closed under a waiting poll could be reused by another open).</summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    public FileDescriptorHandle(int fd)
        : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>A non-blocking, close-on-exec eventfd: written to wake a poll that includes it.</summary>
    public static unsafe FileDescriptorHandle CreateEvent()
    {
        var fd = LibC.EventFd(0, LibC.EfdCloExec | LibC.EfdNonBlock);
        return fd >= 0 ? new FileDescriptorHandle(fd) : throw new IOException($"eventfd failed: {LibC.Describe(Marshal.GetLastPInvokeError())}.");
    }

    /// <summary>Adds 1 to an eventfd: a poll that includes it returns (until its reader reads the count back).</summary>
    public unsafe void Signal()
    {
        var added = false;
        try
        {
            DangerousAddRef(ref added);
            ulong one = 1;
            _ = LibC.Write((int)handle, (byte*)&one, sizeof(ulong)); // only fails when the counter is full: still signalled
        }
        catch (ObjectDisposedException)
        {
            // Closed already: nobody is left to wake.
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        // Linux frees the descriptor even when close reports an error (EINTR, EIO): never retry.
        _ = LibC.Close((int)handle);
        return true;
    }
}
