using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Readers;
using Middleware.Plugins.Classic;
using Middleware.VirtualCards.Classic;
using Middleware.VirtualCards.Izly;

namespace Middleware.Cards.Tests.Classic;

/// <summary>The Classic plugin behind the host's PC/SC watcher, on a fake PC/SC service with a real software SAM and
/// virtual Classic cards (the same cards vpcd serves).</summary>
internal sealed class ClassicTestBed : IAsyncDisposable
{
    public const string Reader = "Virtual Reader 00";
    public const string SamId = "5357534D00000001";

    public static readonly byte[] Uid7 = Convert.FromHexString("04A1B2C3D4E5F6");
    public static readonly byte[] Uid4 = Convert.FromHexString("A1B2C3D4");
    public static readonly byte[] ClassicMaster = Convert.FromHexString(DemoSamKeys.ClassicMasterKeyHex);

    public static readonly ZdcDescription Zdc = new() { IdSupport = "36000042", NumeroApplicatif = "04A1B2C3D4E5F6", Crous = 5, CreationDate = new DateOnly(2024, 9, 2) };

    private readonly CancellationTokenSource _stop = new();
    private Task _watch = Task.CompletedTask;

    private ClassicTestBed(TempKeyFile keyFile, SoftwareSam sam)
    {
        KeyFile = keyFile;
        Sam = sam;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public FakeClassicPcsc Pcsc { get; } = new(Reader);

    public RecordingSink Sink { get; } = new();

    public TempKeyFile KeyFile { get; }

    public SoftwareSam Sam { get; }

    public FakePluginContext Context { get; private set; } = null!;

    public ClassicReaderPlugin Plugin { get; } = new();

    private DirectPluginCatalog Catalog { get; set; } = null!;

    public static async Task<ClassicTestBed> StartAsync(string settings = "{}", bool withSam = true, string? keyFile = null)
    {
        var file = TempKeyFile.Create(keyFile ?? DemoSamKeys.KeyFileJson());
        var sam = new SoftwareSam(Options.Create(new SoftwareSamOptions { KeyFile = file.Path }), NullLogger<SoftwareSam>.Instance);
        var bed = new ClassicTestBed(file, sam);
        object[] services = withSam ? [bed.Pcsc, bed.Sink, sam] : [bed.Pcsc, bed.Sink];
        bed.Context = new FakePluginContext(bed.Time, JsonDocument.Parse(settings).RootElement.Clone(), services);
        await bed.Plugin.StartAsync(bed.Context, CancellationToken.None);
        bed.Catalog = new DirectPluginCatalog(bed.Plugin);
        var options = new CardReaderOptions { Debounce = TimeSpan.Zero, ServiceRetryDelay = TimeSpan.FromSeconds(2) };
        var watcher = new PcscCardWatcher(bed.Pcsc, bed.Catalog, bed.Sink, options, bed.Time, new TypedLogger<PcscCardWatcher>(bed.Context.Log));
        bed._watch = Task.Run(() => watcher.RunAsync(bed._stop.Token));
        return bed;
    }

    /// <summary>An Izly Classic card personalised with the demo SAM's Classic master key.</summary>
    public static VirtualClassicCard Card(ClassicCardSize size = ClassicCardSize.Classic1K, byte[]? uid = null, ClassicCardFaults? faults = null) =>
        IzlyVirtualCards.FromZdc(Zdc, uid ?? Uid7, ClassicMaster, size, faults);

    /// <summary>The instruction bytes (and block, for FF 86 and FF B0) of the APDUs sent, e.g. <c>FF86:04</c>.</summary>
    public IReadOnlyList<string> Sequence() =>
        [.. Pcsc.Apdus.Select(a => a[1] switch
        {
            0x86 => $"FF86:{a[7]:X2}",
            0xB0 => $"FFB0:{a[3]:X2}",
            _ => $"FF{a[1]:X2}",
        })];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        Catalog.Stopped = true;
        await Plugin.StopAsync(CancellationToken.None);
        Sam.Dispose();
        KeyFile.Dispose();
    }
}
