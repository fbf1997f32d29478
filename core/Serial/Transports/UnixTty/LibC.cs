using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>The libc calls and constants of the tty transport. The values are Linux's generic ABI (asm-generic), the
/// one x64 and arm64 share; <see cref="IsSupported"/> says where that holds.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int ORdWr = 0x2;
    public const int ONoCtty = 0x100;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EIo = 5;
    public const int EAgain = 11;
    public const int EAcces = 13;
    public const int EInval = 22;
    public const int ENotTy = 25;

    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    public const short PollNval = 0x20;

    public const nuint TiocExcl = 0x540C;
    public const nuint TiocMBis = 0x5416;
    public const int TiocmDtr = 0x002;
    public const int TiocmRts = 0x004;

    public const nuint TcGets = 0x5401;
    public const nuint TcSets = 0x5402;
    public const nuint TcFlsh = 0x540B;
    public const int TcIFlush = 0;

    // c_cflag
    public const uint CSize = 0x30;
    public const uint CS7 = 0x20;
    public const uint CS8 = 0x30;
    public const uint CStopB = 0x40;
    public const uint CRead = 0x80;
    public const uint ParEnb = 0x100;
    public const uint ParOdd = 0x200;
    public const uint CLocal = 0x800;
    public const uint CBaud = 0x100F;
    public const uint CIBaud = 0x100F0000;
    public const uint CMSPar = 0x40000000;
    public const uint CRtsCts = 0x80000000;

    // c_lflag and c_cc indexes, to check raw mode
    public const uint ISig = 0x1;
    public const uint ICanon = 0x2;
    public const uint Echo = 0x8;
    public const uint IExten = 0x8000;
    public const uint OPost = 0x1;
    public const int VTime = 5;
    public const int VMin = 6;

    public const int EfdCloExec = 0x80000;
    public const int EfdNonBlock = 0x800;

    /// <summary>Where the constants and <see cref="Termios"/> above are right: Linux on x64 or arm64.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, int* argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, Termios* termios);

    /// <summary>The Bxxxx value of the CBAUD bits for a rate (Linux generic: B38400 and below, then CBAUDEX ones).</summary>
    public static uint SpeedConstant(int baudRate) => baudRate switch
    {
        50 => 1, 75 => 2, 110 => 3, 134 => 4, 150 => 5, 200 => 6, 300 => 7, 600 => 8, 1200 => 9, 1800 => 10,
        2400 => 11, 4800 => 12, 9600 => 13, 19200 => 14, 38400 => 15,
        57600 => 0x1001, 115200 => 0x1002, 230400 => 0x1003, 460800 => 0x1004, 500000 => 0x1005, 576000 => 0x1006,
        921600 => 0x1007, 1000000 => 0x1008, 1152000 => 0x1009, 1500000 => 0x100A, 2000000 => 0x100B,
        2500000 => 0x100C, 3000000 => 0x100D, 3500000 => 0x100E, 4000000 => 0x100F,
        _ => throw new ArgumentOutOfRangeException(nameof(baudRate), baudRate, "Not a rate termios can set."),
    };

    /// <summary>"No such file or directory (errno 2)": the system's text for an errno, for error messages.</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
