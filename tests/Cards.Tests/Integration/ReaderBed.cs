using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Cards.Sam;
using Middleware.Cards.Tests.Desfire;
using Middleware.Contracts.Plugins;
using Middleware.PluginHost.Readers;
using Middleware.VirtualCards.Izly;

namespace Middleware.Cards.Tests.Integration;

/// <summary>
/// Reader plugins behind the host's PC/SC watcher on the real pcscd and vpcd, with the demo SAM (every technology's
/// key, <see cref="DemoSamKeys"/>): the test bed every real-pcscd reader test shares. The plugins see only the bed's
/// readers (a reader-name pattern) and the bed keeps only their events.
/// </summary>
internal sealed class ReaderBed : IAsyncDisposable
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);
    private readonly TempKeyFile _keyFile;
    private readonly SoftwareSam _sam;
    private readonly IPlugin[] _plugins;
    private readonly RecordingSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _watch = Task.CompletedTask;

    private ReaderBed(TempKeyFile keyFile, SoftwareSam sam, IPlugin[] plugins)
    {
        _keyFile = keyFile;
        _sam = sam;
        _plugins = plugins;
    }

    /// <summary>The bed on the first vpcd reader.</summary>
    public static Task<ReaderBed> StartAsync(PcscFixture fixture, params IPlugin[] plugins) =>
        StartAsync(fixture, [PcscFixture.FirstReader], plugins);

    /// <summary>Waits until each of <paramref name="readers"/> is listed and empty, then starts the plugins and the watch.</summary>
    public static async Task<ReaderBed> StartAsync(PcscFixture fixture, IReadOnlyList<string> readers, params IPlugin[] plugins)
    {
        foreach (var reader in readers)
        {
            await fixture.WaitForReaderAsync(reader, TimeSpan.FromSeconds(15));
            await fixture.WaitForStateAsync(reader, s => !s.HasCard, StateTimeout);
        }

        var keyFile = TempKeyFile.Create(DemoSamKeys.KeyFileJson());
        var sam = new SoftwareSam(Options.Create(new SoftwareSamOptions { KeyFile = keyFile.Path }), NullLogger<SoftwareSam>.Instance);
        var bed = new ReaderBed(keyFile, sam, plugins);
        var pattern = "^(" + string.Join("|", readers.Select(Regex.Escape)) + ")$";
        var settings = JsonSerializer.SerializeToElement(new { readerNamePattern = pattern });
        FakePluginContext? context = null;
        foreach (var plugin in plugins)
        {
            context = new FakePluginContext(TimeProvider.System, settings, sam);
            await plugin.StartAsync(context, CancellationToken.None);
        }

        var options = new CardReaderOptions { ServiceRetryDelay = TimeSpan.FromMilliseconds(200), StatusWaitTimeout = TimeSpan.FromSeconds(2) };
        var watcher = new PcscCardWatcher(fixture.System, new DirectPluginCatalog(plugins), new ReaderEventFilter(readers, bed._sink), options,
            TimeProvider.System, new TypedLogger<PcscCardWatcher>(context?.Log ?? new ListLogger()));
        bed._watch = Task.Run(() => watcher.RunAsync(bed._stop.Token));
        return bed;
    }

    /// <summary>The next event of type <typeparamref name="T"/>; removals before it are skipped, any other event fails.</summary>
    public async Task<T> NextAsync<T>(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = await _sink.NextAsync().WaitAsync(limit.Token);
            if (next is T wanted)
            {
                return wanted;
            }

            if (next is not Contracts.Readers.CardRemoved)
            {
                throw new InvalidOperationException($"Expected {typeof(T).Name}, got {next}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        foreach (var plugin in _plugins)
        {
            await plugin.StopAsync(CancellationToken.None);
        }

        _sam.Dispose();
        _keyFile.Dispose();
        _stop.Dispose();
    }
}
