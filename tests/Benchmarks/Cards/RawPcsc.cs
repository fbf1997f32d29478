using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// The minimal raw loop the plugins are measured against: P/Invoke straight into libpcsclite on 64-bit Linux (DWORD and
/// LONG are 8 bytes, cards.md §8): connect, the recorded APDUs, disconnect. No cancellation, no parsing, no SAM.
/// </summary>
internal sealed partial class RawPcsc : IDisposable
{
    private const string Library = "libpcsclite.so.1";
    private readonly nint _context;
    private readonly byte[] _receive = new byte[512];

    public RawPcsc() => Check(SCardEstablishContext(2 /* SCARD_SCOPE_SYSTEM */, 0, 0, out _context), "SCardEstablishContext");

    /// <summary>Replays <paramref name="sequence"/>; with <paramref name="verify"/>, every answer must equal the recorded one.</summary>
    public void Replay(string reader, IReadOnlyList<Exchange> sequence, bool verify)
    {
        Check(SCardConnect(_context, reader, 2 /* SHARED */, 3 /* T0 | T1 */, out var card, out var protocol), "SCardConnect");
        try
        {
            var pci = new IoRequest { Protocol = protocol, PciLength = (nuint)Marshal.SizeOf<IoRequest>() };
            for (var i = 0; i < sequence.Count; i++)
            {
                var exchange = sequence[i];
                nuint length = (nuint)_receive.Length;
                Check(SCardTransmit(card, ref pci, exchange.Command, (nuint)exchange.Command.Length, 0, _receive, ref length), "SCardTransmit");
                if (verify && !_receive.AsSpan(0, (int)length).SequenceEqual(exchange.Response))
                {
                    // Command bytes are not printed: a Classic LOAD KEY carries key A.
                    throw new InvalidOperationException(
                        $"The replay of APDU {i + 1}/{sequence.Count} (INS {exchange.Command[1]:X2}) got {(int)length} bytes differing from the {exchange.Response.Length} recorded.");
                }
            }
        }
        finally
        {
            Check(SCardDisconnect(card, 0 /* LEAVE_CARD */), "SCardDisconnect");
        }
    }

    /// <summary>Where the time of one replay goes (connect, each APDU by its INS, disconnect), in milliseconds.</summary>
    public string Breakdown(string reader, IReadOnlyList<Exchange> sequence)
    {
        var steps = new List<string>();
        var start = Stopwatch.GetTimestamp();
        Check(SCardConnect(_context, reader, 2, 3, out var card, out var protocol), "SCardConnect");
        steps.Add($"connect {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.00}");
        var pci = new IoRequest { Protocol = protocol, PciLength = (nuint)Marshal.SizeOf<IoRequest>() };
        foreach (var exchange in sequence)
        {
            start = Stopwatch.GetTimestamp();
            nuint length = (nuint)_receive.Length;
            Check(SCardTransmit(card, ref pci, exchange.Command, (nuint)exchange.Command.Length, 0, _receive, ref length), "SCardTransmit");
            steps.Add($"{exchange.Command[1]:X2} {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.00}");
        }

        start = Stopwatch.GetTimestamp();
        Check(SCardDisconnect(card, 0), "SCardDisconnect");
        steps.Add($"disconnect {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.00}");
        return string.Join(", ", steps);
    }

    public void Dispose() => SCardReleaseContext(_context);

    private static void Check(nint rc, string call)
    {
        if (rc != 0)
        {
            throw new InvalidOperationException($"{call} failed: 0x{rc:X8}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoRequest
    {
        public nuint Protocol;
        public nuint PciLength;
    }

    [LibraryImport(Library)]
    private static partial nint SCardEstablishContext(nuint scope, nint reserved1, nint reserved2, out nint context);

    [LibraryImport(Library)]
    private static partial nint SCardReleaseContext(nint context);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint SCardConnect(nint context, string reader, nuint shareMode, nuint protocols, out nint card, out nuint activeProtocol);

    [LibraryImport(Library)]
    private static partial nint SCardTransmit(nint card, ref IoRequest sendPci, byte[] send, nuint sendLength, nint receivePci, byte[] receive, ref nuint receiveLength);

    [LibraryImport(Library)]
    private static partial nint SCardDisconnect(nint card, nuint disposition);
}
