using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Middleware.Cards.Pcsc;
using Middleware.Cards.Sam;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.Plugins.Desfire;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.Benchmarks.Cards;

/// <summary>
/// Card read through the real pcscd and vpcd: the DESFire plugin's read of a present virtual Izly card (connect,
/// UID, SelectApplication, AuthenticateAES through the software SAM, enciphered ReadData, ZDC parse, disconnect),
/// next to a minimal raw PC/SC loop (P/Invoke straight into libpcsclite: connect, the same APDUs, disconnect) that
/// replays the exact APDU sequence the plugin sent. The virtual card's RndB is fixed so that the recorded
/// authentication replays; the replay's answers are checked byte for byte against the recording.
/// Needs pcscd with vsmartcard-vpcd running (tests/pcsc/start-pcscd.sh) and takes the PC/SC tests' lock.
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- card-read [iterations=300]</c>
/// </summary>
internal static partial class CardReadLoadGenerator
{
    public const string Command = "card-read";
    private const string Reader = "Virtual PCD 00 00";
    private static readonly byte[] ReadMaster = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    private static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F6");

    public static async Task<int> RunAsync(string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("card-read runs on Linux (pcscd + vpcd).");
            return 2;
        }

        var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 300;
        await using var gate = await Middleware.Tests.Pcsc.PcscTestLock.AcquireAsync(TimeSpan.FromMinutes(5));
        var keyDir = Directory.CreateTempSubdirectory("mw-card-bench-");
        var keyFile = Path.Combine(keyDir.FullName, "sam-keys.json");
        await File.WriteAllTextAsync(keyFile, $$"""{ "samId": "5357534D000000AA", "keys": [ { "technology": "Desfire", "keyNumber": 1, "key": "{{Convert.ToHexString(ReadMaster)}}" } ] }""");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cards:SoftwareSam:KeyFile"] = keyFile }).Build();
        await using var services = new ServiceCollection().AddLogging().AddPcsc(configuration).AddSoftwareSam(configuration).BuildServiceProvider();

        var fixedRandom = new Func<int, byte[]>(n => Enumerable.Range(1, n).Select(i => (byte)(i * 7)).ToArray());
        var zdc = new ZdcDescription { IdSupport = "36000001", NumeroApplicatif = "04A1B2C3D4E5F6", Crous = 5, CreationDate = new DateOnly(2024, 9, 2) };
        var card = new RecordingCard(IzlyVirtualCards.FromZdc(zdc, Uid, new IzlyCardKeys(ReadMaster), random: fixedRandom));
        var plugin = new DesfireReaderPlugin();
        var pcsc = services.GetRequiredService<ISmartCardSystem>();
        var settings = JsonDocument.Parse($$"""{ "readerNamePattern": "^{{Reader}}$" }""").RootElement.Clone();
        await plugin.StartAsync(new BenchPluginContext(settings, services.GetRequiredService<ISam>()), CancellationToken.None);
        await using var slot = await VpcdCardSlot.InsertAsync(card);

        // What the host does for each card it hands to the plugin: connect, the plugin's read, disconnect.
        async Task<CardIdentity> ReadOnceAsync()
        {
            await using var connection = await pcsc.ConnectAsync(Reader, SmartCardShareMode.Shared, CancellationToken.None);
            return await plugin.ReadAsync(new BenchCard(connection), CancellationToken.None);
        }

        try
        {
            await WaitForCardAsync(pcsc);
            var first = await ReadOnceAsync();
            Console.WriteLine($"first read: idSupport {first.IdSupport}, reader {first.ReaderName}");
            card.Recording = true;
            await ReadOnceAsync();
            card.Recording = false;
            var sequence = card.Recorded.ToArray();
            Console.WriteLine($"APDU sequence of one read: {sequence.Length} commands ({string.Join(" ", sequence.Select(a => a.Command[1].ToString("X2")))})");

            using var raw = new RawPcsc();
            raw.Replay(Reader, sequence, verify: true);
            Console.WriteLine($"one raw replay, step by step: {raw.Breakdown(Reader, sequence)}");

            // Warm-up, then interleaved blocks so that machine noise hits both sides alike.
            for (var i = 0; i < 20; i++)
            {
                await ReadOnceAsync();
                raw.Replay(Reader, sequence, verify: false);
            }

            var pluginTimes = new List<double>(iterations);
            var rawTimes = new List<double>(iterations);
            for (var done = 0; done < iterations; done += 10)
            {
                for (var i = 0; i < 10; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    var identity = await ReadOnceAsync();
                    pluginTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (identity.IdSupport != "36000001")
                    {
                        throw new InvalidOperationException($"wrong read: {identity.IdSupport}");
                    }
                }

                for (var i = 0; i < 10; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    raw.Replay(Reader, sequence, verify: false);
                    rawTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }

            Report("plugin read (tap -> ZDC)", pluginTimes);
            Report("raw PC/SC replay        ", rawTimes);
            Console.WriteLine($"ratio plugin/raw: p50 {Percentile(pluginTimes, 0.50) / Percentile(rawTimes, 0.50):0.00}x, mean {pluginTimes.Average() / rawTimes.Average():0.00}x, p99 {Percentile(pluginTimes, 0.99) / Percentile(rawTimes, 0.99):0.00}x (target <= 1.2x)");
            return 0;
        }
        finally
        {
            await plugin.StopAsync(CancellationToken.None);
            keyDir.Delete(recursive: true);
        }
    }

    private static void Report(string name, List<double> times) =>
        Console.WriteLine($"{name}: n={times.Count} p50 {Percentile(times, 0.50):0.000} ms, p99 {Percentile(times, 0.99):0.000} ms, mean {times.Average():0.000} ms");

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    internal sealed record Exchange(byte[] Command, byte[] Response);

    /// <summary>The virtual card, recording what it is sent and answers while <see cref="Recording"/> is on.</summary>
    private sealed class RecordingCard(IVirtualCard inner) : IVirtualCard
    {
        public volatile bool Recording;

        public List<Exchange> Recorded { get; } = [];

        public ReadOnlyMemory<byte> Atr => inner.Atr;

        public void PowerOn() => inner.PowerOn();

        public void PowerOff() => inner.PowerOff();

        public void Reset() => inner.Reset();

        public byte[] Transmit(ReadOnlySpan<byte> apdu)
        {
            var response = inner.Transmit(apdu);
            if (Recording)
            {
                Recorded.Add(new Exchange(apdu.ToArray(), response));
            }

            return response;
        }
    }

    private static async Task WaitForCardAsync(ISmartCardSystem pcsc)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var status = await pcsc.GetStatusAsync(CancellationToken.None);
        while (!status.Any(s => s.ReaderName == Reader && s.HasCard))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No card on {Reader} after 30 s.");
            }

            status = await pcsc.WaitForChangeAsync(status, TimeSpan.FromSeconds(1), CancellationToken.None);
        }
    }

    private sealed class BenchCard(ISmartCardConnection connection) : IPcscCard
    {
        public string ReaderName => connection.ReaderName;

        public ReadOnlyMemory<byte> Atr => connection.Atr;

        public Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> apdu, CancellationToken cancellationToken) => connection.TransmitAsync(apdu, cancellationToken);
    }

    private sealed class BenchPluginContext(JsonElement settings, params object[] services) : IPluginContext
    {
        public ILogger Logger => NullLogger.Instance;

        public TimeProvider Time => TimeProvider.System;

        public JsonElement Settings => settings;

        public string PluginDirectory => AppContext.BaseDirectory;

        public CancellationToken Stopping => CancellationToken.None;

        public T? GetService<T>() where T : class => services.OfType<T>().FirstOrDefault();

        public T GetSettings<T>() where T : new() => settings.Deserialize<T>(SettingsJson.Options) ?? new T();
    }

    /// <summary>The minimal raw loop: libpcsclite on 64-bit Linux (DWORD and LONG are 8 bytes, cards.md §8).</summary>
    private sealed partial class RawPcsc : IDisposable
    {
        private const string Library = "libpcsclite.so.1";
        private readonly nint _context;
        private readonly byte[] _receive = new byte[512];

        public RawPcsc() => Check(SCardEstablishContext(2 /* SCARD_SCOPE_SYSTEM */, 0, 0, out _context), "SCardEstablishContext");

        public void Replay(string reader, Exchange[] sequence, bool verify)
        {
            Check(SCardConnect(_context, reader, 2 /* SHARED */, 3 /* T0 | T1 */, out var card, out var protocol), "SCardConnect");
            try
            {
                var pci = new IoRequest { Protocol = protocol, PciLength = (nuint)Marshal.SizeOf<IoRequest>() };
                foreach (var exchange in sequence)
                {
                    nuint length = (nuint)_receive.Length;
                    Check(SCardTransmit(card, ref pci, exchange.Command, (nuint)exchange.Command.Length, 0, _receive, ref length), "SCardTransmit");
                    if (verify && !_receive.AsSpan(0, (int)length).SequenceEqual(exchange.Response))
                    {
                        throw new InvalidOperationException($"The replay of {Convert.ToHexString(exchange.Command)} got {Convert.ToHexString(_receive, 0, (int)length)}, recorded {Convert.ToHexString(exchange.Response)}.");
                    }
                }
            }
            finally
            {
                Check(SCardDisconnect(card, 0 /* LEAVE_CARD */), "SCardDisconnect");
            }
        }

        /// <summary>Where the time of one replay goes (connect, each APDU, disconnect), in milliseconds.</summary>
        public string Breakdown(string reader, Exchange[] sequence)
        {
            var steps = new List<string>();
            var start = Stopwatch.GetTimestamp();
            Check(SCardConnect(_context, reader, 2, 3, out var card, out var protocol), "SCardConnect");
            steps.Add($"connect {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.0}");
            var pci = new IoRequest { Protocol = protocol, PciLength = (nuint)Marshal.SizeOf<IoRequest>() };
            foreach (var exchange in sequence)
            {
                start = Stopwatch.GetTimestamp();
                nuint length = (nuint)_receive.Length;
                Check(SCardTransmit(card, ref pci, exchange.Command, (nuint)exchange.Command.Length, 0, _receive, ref length), "SCardTransmit");
                steps.Add($"{exchange.Command[1]:X2} {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.0}");
            }

            start = Stopwatch.GetTimestamp();
            Check(SCardDisconnect(card, 0), "SCardDisconnect");
            steps.Add($"disconnect {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.0}");
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
}
