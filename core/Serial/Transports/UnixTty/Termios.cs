using System.Runtime.InteropServices;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>
/// The kernel's <c>struct termios</c> that the TCGETS and TCSETS ioctls copy (include/uapi/asm-generic/termbits.h,
/// used by x64 and arm64): four 32-bit flag words, the line discipline and NCCS = 19 control characters, 36 bytes,
/// no speed fields (the rate is the CBAUD bits of <see cref="ControlFlags"/>).
/// </summary>
/// <remarks>
/// Not glibc's struct termios and tcsetattr/cfsetospeed: glibc 2.42 made speed_t the numeric rate under new symbol
/// versions, and a P/Invoke binds whichever version is the default, so the Bxxxx constants would mean 13 baud there.
/// The ioctls are the kernel's stable ABI, the same under every libc.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Termios
{
    public const int Size = 36;
    public const int ControlCharacterCount = 19;

    public uint InputFlags;
    public uint OutputFlags;
    public uint ControlFlags;
    public uint LocalFlags;
    public byte LineDiscipline;
    public fixed byte ControlCharacters[ControlCharacterCount];
}
