using System.Runtime.InteropServices;

namespace Middleware.Serial.Tests.Support;

/// <summary>A tty's settings read back through glibc's tcgetattr and cfgetospeed (glibc's struct termios, not the
/// kernel one the transport uses), so a layout mistake in either shows.</summary>
internal sealed partial class GlibcTermios
{
    // glibc x64/arm64: 4 flag words, c_line, c_cc[32], padding, c_ispeed, c_ospeed (bits/termios-struct.h).
    private const int StructSize = 60;
    private const int ControlCharsOffset = 17;

    private GlibcTermios(byte[] raw, uint outputSpeed)
    {
        InputFlags = BitConverter.ToUInt32(raw, 0);
        OutputFlags = BitConverter.ToUInt32(raw, 4);
        ControlFlags = BitConverter.ToUInt32(raw, 8);
        LocalFlags = BitConverter.ToUInt32(raw, 12);
        VTime = raw[ControlCharsOffset + 5];
        VMin = raw[ControlCharsOffset + 6];
        OutputSpeed = outputSpeed;
    }

    public uint InputFlags { get; }

    public uint OutputFlags { get; }

    public uint ControlFlags { get; }

    public uint LocalFlags { get; }

    public byte VTime { get; }

    public byte VMin { get; }

    /// <summary>What cfgetospeed says: a Bxxxx constant (glibc before 2.42) or the rate itself (2.42 and later).</summary>
    public uint OutputSpeed { get; }

    public static GlibcTermios Read(SafeHandle tty)
    {
        var raw = new byte[StructSize + 64]; // room to spare should a libc's struct be larger
        var added = false;
        try
        {
            tty.DangerousAddRef(ref added);
            if (TcGetAttr((int)tty.DangerousGetHandle(), raw) != 0)
            {
                throw new IOException($"tcgetattr failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return new GlibcTermios(raw, CfGetOSpeed(raw));
        }
        finally
        {
            if (added)
            {
                tty.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfgetospeed")]
    private static partial uint CfGetOSpeed(byte[] termios);
}
