using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Client;
using Middleware.Sandbox.Hosting;
using Middleware.VirtualCards;
using Middleware.VirtualCards.Izly;
using Middleware.VirtualCards.Vpcd;

namespace Middleware.Host.Tests;

/// <summary>
/// The real host (shipped settings, the repository's plugins.json, embedded sandbox on a free port) with a software
/// SAM key file of its own (mode 600, in the test's folder), the real pcscd with vsmartcard-vpcd, and a till connected
/// over the real pipe that records every card notification. Holds the cross-process lock on the virtual readers that
/// the PC/SC tests of Cards.Tests take too, so that no two test processes use vpcd at once.
/// </summary>
internal sealed class CardHostHarness : IAsyncDisposable
{
    public const string Reader = "Virtual PCD 00 00";
    public const string PointOfSale = "5-1-9-8-14";

    /// <summary>The second vpcd reader, configured for <see cref="SecondPointOfSale"/> only (see <see cref="StartAsync"/>).</summary>
    public const string SecondReader = "Virtual PCD 00 01";

    /// <summary>A second point of sale of the same restaurant, whose till hears <see cref="SecondReader"/>.</summary>
    public const string SecondPointOfSale = "5-1-9-8-15";

    /// <summary>This harness's SAM id: not the demo one, so a test sees the id of the key file it wrote.</summary>
    public const string SamId = "5357534D0000E2E0";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();
    private readonly FileStream _lock;
    private IHost? _host;
    private MiddlewareClient? _till;
    private string? _pipeName;

    private CardHostHarness(FileStream readersLock, string root)
    {
        _lock = readersLock;
        Root = root;
    }

    public string Root { get; }

    public string KeyFile => Path.Combine(Root, "sam-keys.json");

    public IHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public MiddlewareClient Till => _till ?? throw new InvalidOperationException("Not started.");

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Middleware.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Middleware.sln).");
        }
    }

    /// <summary>A virtual Izly card for the sandbox holder <c>10000nn</c>: the seed's card (idSupport <c>360000nn</c>,
    /// numeroApplicatif <c>04A1B2C3D4nnnn</c>) personalised with <paramref name="readMasterKey"/> (default: the demo key
    /// of the harness's SAM), its UID being its numeroApplicatif.</summary>
    public static VirtualDesfireCardFor CardOfHolder(int n, byte[]? readMasterKey = null)
    {
        var zdc = new ZdcDescription
        {
            IdSupport = (36000000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
            NumeroApplicatif = $"04A1B2C3D4{n:X4}",
            Crous = 5,
            CreationDate = new DateOnly(2024, 9, 2),
        };
        var uid = Convert.FromHexString(zdc.NumeroApplicatif);
        return new(zdc, IzlyVirtualCards.FromZdc(zdc, uid, new IzlyCardKeys(readMasterKey ?? DemoSamKeys.DesfireReadMasterKey)));
    }

    /// <summary>Starts the host; with <paramref name="secondPointOfSale"/> it also serves <see cref="SecondPointOfSale"/>
    /// with <see cref="SecondReader"/> (a second till on the same host, as a site has).</summary>
    public static async Task<CardHostHarness> StartAsync(string pipePrefix, bool secondPointOfSale = false)
    {
        var readersLock = await Middleware.Tests.Pcsc.PcscTestLock.AcquireAsync(TimeSpan.FromMinutes(5));
        CardHostHarness? harness = null;
        try
        {
            await StartPcscdAsync();
            var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            harness = new CardHostHarness(readersLock, root);
            await harness.StartHostAsync(pipePrefix, secondPointOfSale);
            return harness;
        }
        catch
        {
            if (harness is not null)
            {
                await harness.DisposeAsync();
            }
            else
            {
                await readersLock.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Another till on the same host's pipe, at <paramref name="pointOfSale"/>; its card notifications go to
    /// <paramref name="events"/>.</summary>
    public async Task<MiddlewareClient> ConnectTillAsync(string pointOfSale, Channel<object> events)
    {
        var till = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
        {
            PipeName = _pipeName ?? throw new InvalidOperationException("Not started."),
            PointOfSale = pointOfSale,
            ConnectTimeout = TimeSpan.FromSeconds(20),
        });
        till.CardTapped += (_, e) => events.Writer.TryWrite(e);
        till.CardReadFailed += (_, e) => events.Writer.TryWrite(e);
        till.CardRemoved += (_, e) => events.Writer.TryWrite(e);
        return till;
    }

    /// <summary>Puts <paramref name="card"/> on "Virtual PCD 00 00" (vpcd port 35963).</summary>
    public static Task<VpcdCardSlot> InsertAsync(IVirtualCard card) =>
        VpcdCardSlot.InsertAsync(card, VpcdCardSlot.FirstReaderPort, connectTimeout: TimeSpan.FromSeconds(30));

    /// <summary>The next card notification of type <typeparamref name="T"/>; any other card notification before it fails
    /// the test with its content (a silent skip would hide a wrong read).</summary>
    public Task<T> NextAsync<T>()
        where T : class => NextAsync<T>(_events);

    /// <summary>The next card notification of type <typeparamref name="T"/> in <paramref name="events"/> (a till's, see
    /// <see cref="ConnectTillAsync"/>); any other card notification before it fails the test with its content.</summary>
    public static async Task<T> NextAsync<T>(Channel<object> events)
        where T : class
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            object next;
            try
            {
                next = await events.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {typeof(T).Name} within {Deadline.TotalSeconds} s.");
            }

            switch (next)
            {
                case T wanted:
                    return wanted;
                case ReadersChangedEvent:
                    continue;
                default:
                    throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {next}.");
            }
        }
    }

    /// <summary>Waits (polling readers.list, real time) until the host's reader is empty and reads DESFire (the DESFire
    /// plugin is active).</summary>
    public async Task WaitForEmptyReaderAsync()
    {
        var deadline = DateTime.UtcNow + Deadline;
        ReaderInfo? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = (await Till.ListReadersAsync()).FirstOrDefault(r => r.Name == Reader);
            if (last is { State: "Empty", PluginId: "pcsc" } && last.Technologies.Contains("Desfire"))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Reader '{Reader}' not empty with the DESFire plugin active within {Deadline.TotalSeconds} s (last: {last}).");
    }

    public async ValueTask DisposeAsync()
    {
        if (_till is not null)
        {
            await _till.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        await _lock.DisposeAsync();
    }

    private async Task StartHostAsync(string pipePrefix, bool secondPointOfSale)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(Root, "appsettings.json"));
        DemoSamKeys.WriteKeyFile(KeyFile, samId: SamId);
        var pipeName = pipePrefix + Guid.NewGuid().ToString("N")[..10];
        _pipeName = pipeName;
        string[] second = secondPointOfSale
            ? [$"--PointsOfSale:1:Id={SecondPointOfSale}", "--PointsOfSale:1:Label=RU La Doua - caisse 15", "--PointsOfSale:1:TimeZone=Europe/Paris",
                $"--PointsOfSale:1:Readers:0={SecondReader}", "--PointsOfSale:1:ScriptSite=crous-5/ru-9"]
            : [];
        var builder = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console",
            $"--PluginsFile={Path.Combine(RepositoryRoot, "plugins.json")}", "--PluginHost:WatchForChanges=false",
            $"--Cards:SoftwareSam:KeyFile={KeyFile}",
            .. HostStartTests.SandboxArguments(Root), "--CardReaders:Enabled=true", .. second], Root);
        _host = builder.Build();
        await _host.StartAsync();
        await _host.Services.GetRequiredService<EmbeddedSandbox>().Started;
        _till = await ConnectTillAsync(PointOfSale, _events);
        _till.ReadersChanged += (_, e) => _events.Writer.TryWrite(e);
        await WaitForEmptyReaderAsync();
    }

    /// <summary>Starts pcscd with vpcd when it is not running (tests/pcsc/start-pcscd.sh; needs root). Without it the
    /// card tests fail, they never skip.</summary>
    private static async Task StartPcscdAsync()
    {
        var script = Path.Combine(RepositoryRoot, "tests", "pcsc", "start-pcscd.sh");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot run " + script);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pcscd with vsmartcard-vpcd is required by the card tests and could not be started (run as root): {await error}");
        }
    }
}

/// <summary>A personalised virtual card and the ZDC written on it.</summary>
internal sealed record VirtualDesfireCardFor(ZdcDescription Zdc, IVirtualCard Card);
