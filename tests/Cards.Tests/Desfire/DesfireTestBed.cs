using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Crypto;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Zdc;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Readers;
using Middleware.Plugins.Desfire;

namespace Middleware.Cards.Tests.Desfire;

/// <summary>The DESFire plugin started behind the host's PC/SC watcher, on a fake PC/SC service with a real software
/// SAM and simulated cards.</summary>
internal sealed class DesfireTestBed : IAsyncDisposable
{
    public const string Reader = "Virtual Reader 00";
    public const string SamId = "5357534D00000001";
    public const uint Aid = 0xF58540;

    public static readonly byte[] Master = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    public static readonly byte[] Uid = Convert.FromHexString("04A1B2C3D4E5F6");

    private DesfireTestBed(TempKeyFile keyFile, SoftwareSam sam, FakePluginContext context, FakeSmartCardSystem? pcsc)
    {
        Pcsc = pcsc ?? new FakeSmartCardSystem();
        KeyFile = keyFile;
        Sam = sam;
        Context = context;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public FakeSmartCardSystem Pcsc { get; }

    public RecordingSink Sink { get; } = new();

    public TempKeyFile KeyFile { get; }

    public SoftwareSam Sam { get; }

    public FakePluginContext Context { get; private set; }

    public DesfireReaderPlugin Plugin { get; } = new();

    public PcscCardWatcher Watcher { get; private set; } = null!;

    public DirectPluginCatalog Catalog { get; private set; } = null!;

    private CancellationTokenSource Stop { get; } = new();

    private Task Watch { get; set; } = Task.CompletedTask;

    /// <summary>The readers as the host lists them, with their state.</summary>
    public IReadOnlyList<(string Name, ReaderState State)> Readers()
    {
        var (statuses, up) = Watcher.Snapshot();
        return [.. statuses.Select(s => (s.ReaderName, !up || s.State == PluginHost.Pcsc.SmartCardReaderState.Unavailable ? ReaderState.Unavailable
            : s.HasCard ? ReaderState.CardPresent : ReaderState.Empty))];
    }

    /// <summary>A read on demand, as a till's <c>readers.read</c> asks it; an unknown reader is a reader error.</summary>
    public async Task<CardIdentity> ReadAsync(string reader, TimeSpan? timeout = null) =>
        await Watcher.ReadNowAsync(reader, timeout ?? TimeSpan.FromSeconds(5), CancellationToken.None)
        ?? throw new CardReadException(CardReadError.ReaderError, $"Unknown reader '{reader}'.");

    public static async Task<DesfireTestBed> StartAsync(string settings = "{}", bool withSam = true, bool addReader = true, FakeSmartCardSystem? pcsc = null)
    {
        var keyFile = TempKeyFile.Create(DefaultKeyFile());
        var sam = new SoftwareSam(Options.Create(new SoftwareSamOptions { KeyFile = keyFile.Path }), NullLogger<SoftwareSam>.Instance);
        var bed = new DesfireTestBed(keyFile, sam, null!, pcsc);
        if (addReader)
        {
            bed.Pcsc.AddReader(Reader);
        }

        object[] services = withSam ? [bed.Pcsc, bed.Sink, sam] : [bed.Pcsc, bed.Sink];
        bed.Context = new FakePluginContext(bed.Time, JsonDocument.Parse(settings).RootElement.Clone(), services);
        await bed.Plugin.StartAsync(bed.Context, CancellationToken.None);
        bed.Catalog = new DirectPluginCatalog(bed.Plugin);
        var options = new CardReaderOptions { Debounce = TimeSpan.Zero, ServiceRetryDelay = TimeSpan.FromSeconds(2) };
        bed.Watcher = new PcscCardWatcher(bed.Pcsc, bed.Catalog, bed.Sink, options, bed.Time, new TypedLogger<PcscCardWatcher>(bed.Context.Log));
        bed.Watch = Task.Run(() => bed.Watcher.RunAsync(bed.Stop.Token));
        return bed;
    }

    public static string DefaultKeyFile() => $$"""
        {
          "samId": "{{SamId}}",
          "keys": [
            { "technology": "Desfire", "keyNumber": 1, "key": "{{Convert.ToHexString(Master)}}" },
            { "technology": "Classic", "keyNumber": 0, "key": "000102030405060708090A0B0C0D0E0F", "exportable": true },
            { "technology": "UltralightC", "keyNumber": 0, "key": "F0E0D0C0B0A090807060504030201000" }
          ]
        }
        """;

    /// <summary>The card's read key: the §2 diversification of <paramref name="master"/> for this UID and AID.</summary>
    public static byte[] CardKey(byte[]? master = null, byte[]? uid = null, uint aid = Aid) =>
        An10922.DiversifyAes128(master ?? Master, [.. uid ?? Uid, (byte)aid, (byte)(aid >> 8), (byte)(aid >> 16), .. "CROUS"u8]);

    /// <summary>An Izly card per §3: application F58540, keys 0..2, file 00 (the ZDC), read key 1.</summary>
    public static SimulatedDesfireCard IzlyCard(byte[]? zdc = null, byte[]? readKey = null, byte fileReadKey = 1)
    {
        var card = new SimulatedDesfireCard(Uid);
        var app = new SimulatedApplication(new byte[16], readKey ?? CardKey(), Encoding.ASCII.GetBytes("write-key-000000"));
        app.Files[0] = new SimulatedFile(zdc ?? Convert.FromHexString(ZdcCodecTests.ExampleHex), fileReadKey);
        card.Applications[Aid] = app;
        return card;
    }

    public async ValueTask DisposeAsync()
    {
        // As the host does: the watch stops before the plugins.
        await Stop.CancelAsync();
        await Watch;
        Catalog.Stopped = true;
        await Plugin.StopAsync(CancellationToken.None);
        Sam.Dispose();
        KeyFile.Dispose();
    }
}

/// <summary>A key file in a private temporary folder, mode 600 on Unix.</summary>
internal sealed class TempKeyFile : IDisposable
{
    private TempKeyFile(string directory) => Directory = directory;

    public string Directory { get; }

    public string Path => System.IO.Path.Combine(Directory, "sam-keys.json");

    public static TempKeyFile Create(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mw-cards-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        var file = new TempKeyFile(dir);
        File.WriteAllText(file.Path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file.Path, mode);
        }

        return file;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
