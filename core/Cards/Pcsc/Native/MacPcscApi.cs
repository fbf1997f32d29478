using System.Runtime.InteropServices;
using System.Text;

namespace Middleware.Cards.Pcsc.Native;

/// <summary>macOS PCSC.framework: <c>DWORD</c> is <c>uint32_t</c>, <c>LONG</c> and the context/card handles are
/// <c>int32_t</c>, structs are packed, strings UTF-8.</summary>
internal sealed class MacPcscApi : IPcscApi
{
    private const string Lib = "/System/Library/Frameworks/PCSC.framework/PCSC";

    public string LibraryName => Lib;

    public uint EstablishContext(uint scope, out nint context)
    {
        var rc = unchecked((uint)SCardEstablishContext(scope, 0, 0, out var handle));
        context = handle;
        return rc;
    }

    public uint ReleaseContext(nint context) => unchecked((uint)SCardReleaseContext((int)context));

    public uint ListReaders(nint context, out string[] readers)
    {
        readers = [];
        uint length = 0;
        var rc = unchecked((uint)SCardListReaders((int)context, 0, null, ref length));
        if (rc != PcscCode.Success)
        {
            return rc;
        }

        var buffer = new byte[length];
        rc = unchecked((uint)SCardListReaders((int)context, 0, buffer, ref length));
        if (rc == PcscCode.Success)
        {
            readers = PcscApi.SplitMultiString(Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(length, (uint)buffer.Length)));
        }

        return rc;
    }

    public uint GetStatusChange(nint context, uint timeoutMs, ReaderStateEntry[] states)
    {
        var native = new MacReaderState[states.Length];
        try
        {
            for (var i = 0; i < states.Length; i++)
            {
                native[i].Reader = Marshal.StringToCoTaskMemUTF8(states[i].Name);
                native[i].CurrentState = states[i].CurrentState;
            }

            var rc = unchecked((uint)SCardGetStatusChange((int)context, timeoutMs, native, (uint)native.Length));
            for (var i = 0; i < states.Length; i++)
            {
                states[i].EventState = native[i].EventState;
                var atrLength = (int)Math.Min(native[i].AtrLength, 33u);
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

    public uint Cancel(nint context) => unchecked((uint)SCardCancel((int)context));

    public uint Connect(nint context, string reader, uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol)
    {
        var name = Marshal.StringToCoTaskMemUTF8(reader);
        try
        {
            var rc = unchecked((uint)SCardConnect((int)context, name, shareMode, preferredProtocols, out var handle, out activeProtocol));
            card = handle;
            return rc;
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    public uint Transmit(nint card, uint protocol, ReadOnlySpan<byte> command, Span<byte> response, out int responseLength)
    {
        var pci = new MacIoRequest { Protocol = protocol, PciLength = (uint)Marshal.SizeOf<MacIoRequest>() };
        var length = (uint)response.Length;
        var rc = unchecked((uint)SCardTransmit(
            (int)card, ref pci, ref MemoryMarshal.GetReference(command), (uint)command.Length, 0, ref MemoryMarshal.GetReference(response), ref length));
        responseLength = rc == PcscCode.Success ? (int)length : 0;
        return rc;
    }

    public uint GetAtr(nint card, out byte[] atr)
    {
        Span<byte> buffer = stackalloc byte[64];
        uint readerLength = 0;
        var atrLength = (uint)buffer.Length;
        var rc = unchecked((uint)SCardStatus((int)card, 0, ref readerLength, out _, out _, ref MemoryMarshal.GetReference(buffer), ref atrLength));
        atr = rc == PcscCode.Success ? buffer[..(int)Math.Min(atrLength, (uint)buffer.Length)].ToArray() : [];
        return rc;
    }

    public uint Disconnect(nint card, uint disposition) => unchecked((uint)SCardDisconnect((int)card, disposition));

    [DllImport(Lib)]
    private static extern int SCardEstablishContext(uint scope, nint reserved1, nint reserved2, out int context);

    [DllImport(Lib)]
    private static extern int SCardReleaseContext(int context);

    [DllImport(Lib)]
    private static extern int SCardListReaders(int context, nint groups, byte[]? readers, ref uint length);

    [DllImport(Lib)]
    private static extern int SCardGetStatusChange(int context, uint timeout, [In, Out] MacReaderState[] states, uint count);

    [DllImport(Lib)]
    private static extern int SCardCancel(int context);

    [DllImport(Lib)]
    private static extern int SCardConnect(int context, nint reader, uint shareMode, uint preferredProtocols, out int card, out uint activeProtocol);

    [DllImport(Lib)]
    private static extern int SCardTransmit(int card, ref MacIoRequest sendPci, ref byte send, uint sendLength, nint recvPci, ref byte receive, ref uint receiveLength);

    [DllImport(Lib)]
    private static extern int SCardStatus(int card, nint readerName, ref uint readerLength, out uint state, out uint protocol, ref byte atr, ref uint atrLength);

    [DllImport(Lib)]
    private static extern int SCardDisconnect(int card, uint disposition);
}
