using System.Runtime.InteropServices;
using Middleware.Contracts.Readers;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>Sets a tty's line: raw (no echo, no signals, no CR/NL mapping, no output processing), the rate, data bits,
/// parity and stop bits asked, receiver on, modem status ignored, no hardware or software flow control, VMIN 1 and
/// VTIME 0 (poll does the waiting). Then reads it back and refuses what the driver did not keep.</summary>
internal static unsafe class TtyLine
{
    public static void Apply(FileDescriptorHandle tty, string path, SerialLinkSettings line)
    {
        var fd = (int)tty.DangerousGetHandle();
        Termios termios;
        if (LibC.Ioctl(fd, LibC.TcGets, &termios) < 0)
        {
            // ENOTTY: a path that is no terminal (a plain file, /dev/null).
            throw TtyDevice.Failure(path, "TCGETS", Marshal.GetLastPInvokeError());
        }

        var wanted = ControlFlags(line);
        termios.InputFlags = 0;
        termios.OutputFlags = 0;
        termios.LocalFlags = 0;
        termios.LineDiscipline = 0; // N_TTY
        termios.ControlFlags = (termios.ControlFlags & ~ManagedControlFlags) | wanted;
        // VMIN 1, VTIME 0, as cfmakeraw and System.IO.Ports: our descriptor is non-blocking, so an empty read is EAGAIN
        // whatever VMIN says. The termios belongs to the tty, not to our descriptor: VMIN 0 would make every other
        // blocking reader of the same tty (the tetra-read benchmark's floor) take an empty read for the end.
        termios.ControlCharacters[LibC.VMin] = 1;
        termios.ControlCharacters[LibC.VTime] = 0;
        if (LibC.Ioctl(fd, LibC.TcSets, &termios) < 0)
        {
            throw TtyDevice.Failure(path, "TCSETS", Marshal.GetLastPInvokeError());
        }

        // Like tcsetattr, TCSETS succeeds when the driver keeps only part of it: check what it kept.
        Termios kept;
        if (LibC.Ioctl(fd, LibC.TcGets, &kept) < 0)
        {
            throw TtyDevice.Failure(path, "TCGETS", Marshal.GetLastPInvokeError());
        }

        var differs = (kept.ControlFlags ^ wanted) & CheckedControlFlags(line);
        if (differs != 0)
        {
            throw new IOException(
                $"The serial port {path} did not keep {LineSettingsCheck.Describe(line)} (control flags asked 0x{wanted:X}, kept 0x{kept.ControlFlags & ManagedControlFlags:X}).");
        }
    }

    /// <summary>The c_cflag bits this class decides; the others (HUPCL) stay as the driver had them.</summary>
    internal const uint ManagedControlFlags = LibC.CBaud | LibC.CIBaud | LibC.CSize | LibC.CStopB | LibC.ParEnb
        | LibC.ParOdd | LibC.CMSPar | LibC.CRtsCts | LibC.CRead | LibC.CLocal;

    /// <summary>The c_cflag bits for <paramref name="line"/>: the input rate follows the output one (CIBAUD 0).</summary>
    internal static uint ControlFlags(SerialLinkSettings line) =>
        LibC.SpeedConstant(line.BaudRate)
        | (line.DataBits == 7 ? LibC.CS7 : LibC.CS8)
        | line.Parity switch
        {
            SerialParity.Even => LibC.ParEnb,
            SerialParity.Odd => LibC.ParEnb | LibC.ParOdd,
            _ => 0u,
        }
        | (line.StopBits == SerialStopBits.Two ? LibC.CStopB : 0u)
        | LibC.CRead
        | LibC.CLocal;

    // The rate, size, parity and stop bits must be kept as asked (PARODD only matters with PARENB); a pty keeps them
    // once asked 8N1 (SerialPortTransport's remarks).
    private static uint CheckedControlFlags(SerialLinkSettings line) =>
        LibC.CBaud | LibC.CSize | LibC.CStopB | LibC.ParEnb | (line.Parity == SerialParity.None ? 0u : LibC.ParOdd);
}
