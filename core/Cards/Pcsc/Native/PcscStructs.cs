using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Middleware.Cards.Pcsc.Native;

// One definition per platform, so the layout of each is checked by unit tests on any machine.
// pcsc-lite on Linux: DWORD = unsigned long (8 bytes on 64-bit), MAX_ATR_SIZE = 33 -> 80 bytes on x64.
// Windows: DWORD = 32 bits, ATR buffer 36 -> 64 bytes on x64.
// macOS PCSC.framework: DWORD = uint32_t, MAX_ATR_SIZE 33, #pragma pack(1) -> 61 bytes.

/// <summary>33-byte ATR buffer (pcsc-lite and macOS <c>MAX_ATR_SIZE</c>).</summary>
[InlineArray(33)]
internal struct AtrBuffer33
{
    private byte _element0;
}

/// <summary>36-byte ATR buffer (Windows <c>rgbAtr[36]</c>).</summary>
[InlineArray(36)]
internal struct AtrBuffer36
{
    private byte _element0;
}

/// <summary><c>SCARD_READERSTATE</c> of pcsc-lite on Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinuxReaderState
{
    public nint Reader;
    public nint UserData;
    public CULong CurrentState;
    public CULong EventState;
    public CULong AtrLength;
    public AtrBuffer33 Atr;
}

/// <summary><c>SCARD_READERSTATEW</c> of winscard.dll.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WindowsReaderState
{
    public nint Reader;
    public nint UserData;
    public uint CurrentState;
    public uint EventState;
    public uint AtrLength;
    public AtrBuffer36 Atr;
}

/// <summary><c>SCARD_READERSTATE</c> of macOS PCSC.framework (packed).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct MacReaderState
{
    public nint Reader;
    public nint UserData;
    public uint CurrentState;
    public uint EventState;
    public uint AtrLength;
    public AtrBuffer33 Atr;
}

/// <summary><c>SCARD_IO_REQUEST</c> of pcsc-lite on Linux (two <c>unsigned long</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinuxIoRequest
{
    public CULong Protocol;
    public CULong PciLength;
}

/// <summary><c>SCARD_IO_REQUEST</c> of winscard.dll (two 32-bit <c>DWORD</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WindowsIoRequest
{
    public uint Protocol;
    public uint PciLength;
}

/// <summary><c>SCARD_IO_REQUEST</c> of macOS PCSC.framework (packed, two <c>uint32_t</c>).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct MacIoRequest
{
    public uint Protocol;
    public uint PciLength;
}
