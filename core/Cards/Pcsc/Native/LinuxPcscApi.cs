using System.Runtime.InteropServices;
using System.Text;

namespace Middleware.Cards.Pcsc.Native;

/// <summary>pcsc-lite (<c>libpcsclite.so.1</c>): <c>DWORD</c> and <c>LONG</c> are C <c>long</c> (8 bytes on 64-bit),
/// strings are UTF-8, handles are <c>LONG</c>.</summary>
internal sealed class LinuxPcscApi : IPcscApi
{
    private const string Lib = "libpcsclite.so.1";

    public string LibraryName => Lib;

    public uint EstablishContext(uint scope, out nint context) =>
        Code(SCardEstablishContext(new CULong(scope), 0, 0, out context));

    public uint ReleaseContext(nint context) => Code(SCardReleaseContext(context));

    public uint ListReaders(nint context, out string[] readers)
    {
        readers = [];
        var length = new CULong(0);
        var rc = Code(SCardListReaders(context, 0, null, ref length));
        if (rc != PcscCode.Success)
        {
            return rc;
        }

        var buffer = new byte[(int)length.Value];
        rc = Code(SCardListReaders(context, 0, buffer, ref length));
        if (rc == PcscCode.Success)
        {
            readers = PcscApi.SplitMultiString(Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(length.Value, (nuint)buffer.Length)));
        }

        return rc;
    }

    public uint GetStatusChange(nint context, uint timeoutMs, ReaderStateEntry[] states)
    {
        var native = new LinuxReaderState[states.Length];
        try
        {
            for (var i = 0; i < states.Length; i++)
            {
                native[i].Reader = Marshal.StringToCoTaskMemUTF8(states[i].Name);
                native[i].CurrentState = new CULong(states[i].CurrentState);
            }

            var rc = Code(SCardGetStatusChange(context, new CULong(timeoutMs), native, new CULong((uint)native.Length)));
            for (var i = 0; i < states.Length; i++)
            {
                states[i].EventState = (uint)native[i].EventState.Value;
                var atrLength = (int)Math.Min(native[i].AtrLength.Value, 33u);
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

    public uint Cancel(nint context) => Code(SCardCancel(context));

    public uint Connect(nint context, string reader, uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol)
    {
        var name = Marshal.StringToCoTaskMemUTF8(reader);
        try
        {
            var rc = Code(SCardConnect(context, name, new CULong(shareMode), new CULong(preferredProtocols), out card, out var active));
            activeProtocol = (uint)active.Value;
            return rc;
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    public uint Transmit(nint card, uint protocol, ReadOnlySpan<byte> command, Span<byte> response, out int responseLength)
    {
        var pci = new LinuxIoRequest { Protocol = new CULong(protocol), PciLength = new CULong((uint)Marshal.SizeOf<LinuxIoRequest>()) };
        var length = new CULong((uint)response.Length);
        var rc = Code(SCardTransmit(
            card,
            ref pci,
            ref MemoryMarshal.GetReference(command),
            new CULong((uint)command.Length),
            0,
            ref MemoryMarshal.GetReference(response),
            ref length));
        responseLength = rc == PcscCode.Success ? (int)length.Value : 0;
        return rc;
    }

    public uint GetAtr(nint card, out byte[] atr)
    {
        Span<byte> buffer = stackalloc byte[64];
        var readerLength = new CULong(0);
        var atrLength = new CULong((uint)buffer.Length);
        var rc = Code(SCardStatus(card, 0, ref readerLength, out _, out _, ref MemoryMarshal.GetReference(buffer), ref atrLength));
        atr = rc == PcscCode.Success ? buffer[..(int)Math.Min(atrLength.Value, (nuint)buffer.Length)].ToArray() : [];
        return rc;
    }

    public uint Disconnect(nint card, uint disposition) => Code(SCardDisconnect(card, new CULong(disposition)));

    // LONG is 64-bit: the codes are positive 0x801000xx values; keep the low 32 bits.
    private static uint Code(CLong rc) => unchecked((uint)(long)rc.Value);

    [DllImport(Lib)]
    private static extern CLong SCardEstablishContext(CULong scope, nint reserved1, nint reserved2, out nint context);

    [DllImport(Lib)]
    private static extern CLong SCardReleaseContext(nint context);

    [DllImport(Lib)]
    private static extern CLong SCardListReaders(nint context, nint groups, byte[]? readers, ref CULong length);

    [DllImport(Lib)]
    private static extern CLong SCardGetStatusChange(nint context, CULong timeout, [In, Out] LinuxReaderState[] states, CULong count);

    [DllImport(Lib)]
    private static extern CLong SCardCancel(nint context);

    [DllImport(Lib)]
    private static extern CLong SCardConnect(nint context, nint reader, CULong shareMode, CULong preferredProtocols, out nint card, out CULong activeProtocol);

    [DllImport(Lib)]
    private static extern CLong SCardTransmit(nint card, ref LinuxIoRequest sendPci, ref byte send, CULong sendLength, nint recvPci, ref byte receive, ref CULong receiveLength);

    [DllImport(Lib)]
    private static extern CLong SCardStatus(nint card, nint readerName, ref CULong readerLength, out CULong state, out CULong protocol, ref byte atr, ref CULong atrLength);

    [DllImport(Lib)]
    private static extern CLong SCardDisconnect(nint card, CULong disposition);
}
