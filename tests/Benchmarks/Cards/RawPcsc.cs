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
        var apdus = new long[sequence.Count];
        var (connect, _, disconnect) = TimedReplay(reader, sequence, apdus);
        var steps = sequence.Select((e, i) => $"{e.Command[1]:X2} {Stopwatch.GetElapsedTime(0, apdus[i]).TotalMilliseconds:0.00}");
        return $"connect {Stopwatch.GetElapsedTime(0, connect).TotalMilliseconds:0.00}, {string.Join(", ", steps)}, disconnect {Stopwatch.GetElapsedTime(0, disconnect).TotalMilliseconds:0.00}";
    }

    /// <summary>One replay timed in parts (Stopwatch ticks): connect, all APDUs, disconnect; each APDU into <paramref name="apdus"/>.</summary>
    public (long Connect, long Apdus, long Disconnect) TimedReplay(string reader, IReadOnlyList<Exchange> sequence, Span<long> apdus = default)
    {
        var start = Stopwatch.GetTimestamp();
        Check(SCardConnect(_context, reader, 2, 3, out var card, out var protocol), "SCardConnect");
        var connect = Stopwatch.GetTimestamp() - start;
        var pci = new IoRequest { Protocol = protocol, PciLength = (nuint)Marshal.SizeOf<IoRequest>() };
        long all = 0;
        for (var i = 0; i < sequence.Count; i++)
        {
            start = Stopwatch.GetTimestamp();
            nuint length = (nuint)_receive.Length;
            Check(SCardTransmit(card, ref pci, sequence[i].Command, (nuint)sequence[i].Command.Length, 0, _receive, ref length), "SCardTransmit");
            var one = Stopwatch.GetTimestamp() - start;
            all += one;
            if (i < apdus.Length)
            {
                apdus[i] = one;
            }
        }

        start = Stopwatch.GetTimestamp();
        Check(SCardDisconnect(card, 0), "SCardDisconnect");
        return (connect, all, Stopwatch.GetTimestamp() - start);
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
