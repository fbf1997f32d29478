using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>The device-level calls of the tty transport: open, exclusive use, modem lines, input flush; each failure
/// becomes the exception <see cref="ILinkTransport.OpenAsync"/> promises.</summary>
internal static unsafe class TtyDevice
{
    /// <summary>open(2) non-blocking, without becoming the controlling terminal, closed on exec.</summary>
    public static FileDescriptorHandle Open(string path)
    {
        int fd;
        do
        {
            fd = LibC.Open(path, LibC.ORdWr | LibC.ONoCtty | LibC.ONonBlock | LibC.OCloExec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr);

        return fd >= 0 ? new FileDescriptorHandle(fd) : throw Failure(path, "open", Marshal.GetLastPInvokeError());
    }

    /// <summary>TIOCEXCL, as System.IO.Ports does: later opens of the device fail with EBUSY (root's excepted).</summary>
    public static void TakeExclusive(FileDescriptorHandle tty, string path)
    {
        if (LibC.Ioctl(Fd(tty), LibC.TiocExcl) < 0)
        {
            throw Failure(path, "TIOCEXCL", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Raises DTR and RTS (a USB CDC or RS-232 terminal may wait for DTR before it talks). False when the
    /// driver has no modem control (ENOTTY, EINVAL), which is no error.</summary>
    public static bool RaiseModemLines(FileDescriptorHandle tty, string path)
    {
        var lines = LibC.TiocmDtr | LibC.TiocmRts;
        if (LibC.Ioctl(Fd(tty), LibC.TiocMBis, &lines) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is LibC.ENotTy or LibC.EInval ? false : throw Failure(path, "TIOCMBIS (raise DTR and RTS)", errno);
    }

    /// <summary>Drops what the device received before the link was opened (TCFLSH TCIFLUSH, as tcflush does).</summary>
    public static void DiscardInput(FileDescriptorHandle tty, string path)
    {
        if (LibC.Ioctl(Fd(tty), LibC.TcFlsh, LibC.TcIFlush) < 0)
        {
            throw Failure(path, "TCFLSH", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>EACCES and EPERM are <see cref="UnauthorizedAccessException"/>, anything else <see cref="IOException"/>.</summary>
    public static Exception Failure(string path, string call, int errno) => errno is LibC.EAcces or LibC.EPerm
        ? new UnauthorizedAccessException($"Access to the serial port {path} is denied ({call}: {LibC.Describe(errno)}).")
        : new IOException($"Cannot open the serial port {path} ({call}: {LibC.Describe(errno)}).", errno);

    // The handle stays referenced by the caller during open: no call here races a close.
    private static int Fd(FileDescriptorHandle tty) => (int)tty.DangerousGetHandle();
}
