using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Benchmarks.Cards;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra;
using Middleware.Serial;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Benchmarks.Terminals;

/// <summary>
/// The four ways one DemandeZDC round trip is made on the same socat pty, to the same simulated Tetra with a card on
/// it: the plugin (<see cref="TetraPlugin.ReadCardAsync"/> on the host's serial link service, as the host calls it),
/// the raw loop on the plugin's own link stream (the link service's share), the raw loop with async I/O on the pty
/// opened as a plain file, and the same with blocking reads (the floor). Only one of them talks at a time; the others
/// hold their descriptors open and read nothing.
/// </summary>
internal sealed class TetraReadBench : IAsyncDisposable
{
    public const string TerminalName = "Tetra 1";

    // The timeout the till asks the terminal for (its request says 030): a card present is answered at once.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private readonly TetraSimulator _simulator;
    private readonly ServiceProvider _services;
    private readonly FileStream _pty;
    private readonly Stream _hostLink;
    private readonly TetraPlugin _plugin;
    private readonly CardIdentity _expected;
    private readonly RawConcertExchange _raw;

    private TetraReadBench(TetraSimulator simulator, ServiceProvider services, FileStream pty, Stream hostLink, TetraPlugin plugin, CardIdentity expected, RawConcertExchange raw, string requestMessage)
    {
        _simulator = simulator;
        _services = services;
        _pty = pty;
        _hostLink = hostLink;
        _plugin = plugin;
        _expected = expected;
        _raw = raw;
        RequestMessage = requestMessage;
    }

    /// <summary>The request message every round trip sends (the plugin's, copied by the raw loops).</summary>
    public string RequestMessage { get; }

    /// <summary>Requests the simulated terminal received whole so far.</summary>
    public IReadOnlyList<string> TerminalRequests => _simulator.Requests;

    public static async Task<TetraReadBench> StartAsync(CancellationToken cancellationToken)
    {
        var simulator = await TetraSimulator.StartAsync(cancellationToken: cancellationToken);
        var disposables = new List<IAsyncDisposable> { simulator };
        try
        {
            // Opened before the plugin's port: System.IO.Ports takes the pty with TIOCEXCL, which refuses later opens
            // (but root's) and leaves descriptors already open alone.
            var pty = new FileStream(simulator.TerminalPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
            disposables.Add(pty);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
            var services = new ServiceCollection().AddSerialLinks(configuration).BuildServiceProvider();
            disposables.Add(services);
            var links = new SharedLinks(services.GetRequiredService<ISerialLinkProvider>());

            var settings = JsonSerializer.SerializeToElement(new Dictionary<string, object>
            {
                ["port"] = simulator.TerminalPath,
                ["terminalName"] = TerminalName,
                ["tillNumber"] = 1,
            });
            var plugin = new TetraPlugin();
            await plugin.StartAsync(new BenchPluginContext(settings, links), cancellationToken);
            disposables.Add(new Stopping(plugin));

            // The first plugin read gives the request the raw loops copy and the answer they must get byte for byte.
            var identity = await ((ITerminalPlugin)plugin).ReadCardAsync(TerminalName, ReadTimeout, cancellationToken);
            var behaviour = simulator.Behaviour;
            if (identity.IdSupport != behaviour.IdSupport || identity.NumeroApplicatif != behaviour.NumeroApplicatif || identity.SamId != behaviour.SamId)
            {
                throw new InvalidOperationException("The plugin read another card than the simulated terminal holds.");
            }

            var request = simulator.Requests.Single();
            var answer = "ZDC=0" + identity.SamId + identity.NumeroApplicatif + identity.IdSupport.PadLeft(15, '0');
            return new TetraReadBench(simulator, services, pty, links.Opened, plugin, identity, new RawConcertExchange(request, answer), request);
        }
        catch
        {
            disposables.Reverse();
            foreach (var disposable in disposables)
            {
                await disposable.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The plugin's read, as the host calls it; checked against the first read.</summary>
    public async Task PluginRoundTripAsync(CancellationToken cancellationToken)
    {
        var identity = await ((ITerminalPlugin)_plugin).ReadCardAsync(TerminalName, ReadTimeout, cancellationToken).ConfigureAwait(false);
        if (identity != _expected)
        {
            throw new InvalidOperationException("The plugin read another card than on its first read.");
        }
    }

    /// <summary>The floor: blocking read(2)/write(2) on the pty. Blocks the calling thread.</summary>
    public void FloorRoundTrip() => _raw.RoundTrip(_pty);

    /// <summary>The raw loop with async reads and writes on the pty opened as a plain file: what async I/O costs
    /// without the link service's port loop (.NET runs each read as a blocking read(2) on a pool thread).</summary>
    public Task FileAsyncRoundTripAsync(CancellationToken cancellationToken) => _raw.RoundTripAsync(_pty, cancellationToken);

    /// <summary>The raw loop on the plugin's own link stream from the host's serial link service (System.IO.Ports
    /// behind the reconnecting stream), between the plugin's exchanges; the plugin closes it when it stops.</summary>
    public Task HostLinkRoundTripAsync(CancellationToken cancellationToken) => _raw.RoundTripAsync(_hostLink, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _plugin.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _services.DisposeAsync();
            await _simulator.DisposeAsync();
            await _pty.DisposeAsync();
        }
    }

    /// <summary>Stops the plugin when the start fails after it started.</summary>
    private sealed class Stopping(TetraPlugin plugin) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(plugin.StopAsync(CancellationToken.None));
    }
}
