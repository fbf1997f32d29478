using System.Runtime.InteropServices;

namespace Middleware.Cards.Pcsc.Native;

/// <summary>winscard.dll: 32-bit <c>DWORD</c>/<c>LONG</c>, UTF-16 strings through the <c>W</c> entry points,
/// handles are <c>ULONG_PTR</c>.</summary>
internal sealed class WindowsPcscApi : IPcscApi
{
    private const string Lib = "winscard.dll";

    public string LibraryName => Lib;

    public uint EstablishContext(uint scope, out nint context) =>
        unchecked((uint)SCardEstablishContext(scope, 0, 0, out context));

    public uint ReleaseContext(nint context) => unchecked((uint)SCardReleaseContext(context));

    public uint ListReaders(nint context, out string[] readers)
    {
        readers = [];
        uint length = 0;
        var rc = unchecked((uint)SCardListReadersW(context, 0, null, ref length));
        if (rc != PcscCode.Success)
        {
            return rc;
        }

        var buffer = new char[length];
        rc = unchecked((uint)SCardListReadersW(context, 0, buffer, ref length));
        if (rc == PcscCode.Success)
        {
            readers = PcscApi.SplitMultiString(new string(buffer, 0, (int)Math.Min(length, (uint)buffer.Length)));
        }

        return rc;
    }

    public uint GetStatusChange(nint context, uint timeoutMs, ReaderStateEntry[] states)
    {
        var native = new WindowsReaderState[states.Length];
        try
        {
            for (var i = 0; i < states.Length; i++)
            {
                native[i].Reader = Marshal.StringToCoTaskMemUni(states[i].Name);
                native[i].CurrentState = states[i].CurrentState;
            }

            var rc = unchecked((uint)SCardGetStatusChangeW(context, timeoutMs, native, (uint)native.Length));
            for (var i = 0; i < states.Length; i++)
            {
                states[i].EventState = native[i].EventState;
                var atrLength = (int)Math.Min(native[i].AtrLength, 36u);
                states[i].Atr = ((ReadOnlySpan<byte>)native[i].Atr)[..atrLength].ToArray();
            }

            return rc;
        }
        finally
        {
            foreach (var state in native)
            {
                Marshal.FreeCoTaskMem(state.Reader);
            }
        }
    }

    public uint Cancel(nint context) => unchecked((uint)SCardCancel(context));

    public uint Connect(nint context, string reader, uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol)
    {
        var name = Marshal.StringToCoTaskMemUni(reader);
        try
        {
            return unchecked((uint)SCardConnectW(context, name, shareMode, preferredProtocols, out card, out activeProtocol));
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    public uint Transmit(nint card, uint protocol, ReadOnlySpan<byte> command, Span<byte> response, out int responseLength)
    {
        var pci = new WindowsIoRequest { Protocol = protocol, PciLength = (uint)Marshal.SizeOf<WindowsIoRequest>() };
        var length = (uint)response.Length;
        var rc = unchecked((uint)SCardTransmit(
            card, ref pci, ref MemoryMarshal.GetReference(command), (uint)command.Length, 0, ref MemoryMarshal.GetReference(response), ref length));
        responseLength = rc == PcscCode.Success ? (int)length : 0;
        return rc;
    }

    public uint GetAtr(nint card, out byte[] atr)
    {
        Span<byte> buffer = stackalloc byte[64];
        uint readerLength = 0;
        var atrLength = (uint)buffer.Length;
        var rc = unchecked((uint)SCardStatusW(card, 0, ref readerLength, out _, out _, ref MemoryMarshal.GetReference(buffer), ref atrLength));
        atr = rc == PcscCode.Success ? buffer[..(int)Math.Min(atrLength, (uint)buffer.Length)].ToArray() : [];
        return rc;
    }

    public uint Disconnect(nint card, uint disposition) => unchecked((uint)SCardDisconnect(card, disposition));

    [DllImport(Lib)]
    private static extern int SCardEstablishContext(uint scope, nint reserved1, nint reserved2, out nint context);

    [DllImport(Lib)]
    private static extern int SCardReleaseContext(nint context);

    [DllImport(Lib, CharSet = CharSet.Unicode)]
    private static extern int SCardListReadersW(nint context, nint groups, char[]? readers, ref uint length);

    [DllImport(Lib)]
    private static extern int SCardGetStatusChangeW(nint context, uint timeout, [In, Out] WindowsReaderState[] states, uint count);

    [DllImport(Lib)]
    private static extern int SCardCancel(nint context);

    [DllImport(Lib)]
    private static extern int SCardConnectW(nint context, nint reader, uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol);

    [DllImport(Lib)]
    private static extern int SCardTransmit(nint card, ref WindowsIoRequest sendPci, ref byte send, uint sendLength, nint recvPci, ref byte receive, ref uint receiveLength);

    [DllImport(Lib)]
    private static extern int SCardStatusW(nint card, nint readerName, ref uint readerLength, out uint state, out uint protocol, ref byte atr, ref uint atrLength);

    [DllImport(Lib)]
    private static extern int SCardDisconnect(nint card, uint disposition);
}
