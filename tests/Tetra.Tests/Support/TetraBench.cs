using Middleware.Tests.Serial;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Middleware.Contracts.Readers;
using Middleware.Plugins.Tetra;
using Middleware.Serial;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Tetra.Tests.Support;

/// <summary>
/// The Tetra plugin on the host's real serial link service, talking through a real socat pty pair to the simulated
/// terminal: the whole chain but the hardware.
/// </summary>
internal sealed class TetraBench : IAsyncDisposable
{
    public const string TerminalName = "Tetra 1";

    /// <summary>Nothing in these tests may take longer than this: a hang fails instead of blocking the run.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private readonly ServiceProvider _services;
    private readonly KeptLinks _links;

    private TetraBench(TetraSimulator simulator, ServiceProvider services, TetraPlugin plugin, TestPluginContext context, KeptLinks links)
    {
        Simulator = simulator;
        _services = services;
        Plugin = plugin;
        Context = context;
        Links = links;
        _links = links;
    }

    public TetraSimulator Simulator { get; }

    public TetraPlugin Plugin { get; }

    public ITerminalPlugin Terminal => Plugin;

    public TestPluginContext Context { get; }

    public ISerialLinkProvider Links { get; }

    /// <summary>The link stream the plugin was last given (for a raw loop between its exchanges).</summary>
    public Stream PluginLink => _links.Opened;

    /// <summary>Starts the simulator and the plugin. <paramref name="stepMs"/> null: the defaults on both sides (3 s).</summary>
    public static async Task<TetraBench> StartAsync(int? stepMs = 2000, Dictionary<string, object>? extraSettings = null)
    {
        SocatFactAttribute.EnsureSocat();
        var step = stepMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        var simulator = await TetraSimulator.StartAsync(stepTimeout: step);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SerialLinks:ReconnectDelay"] = "00:00:00.100",
        }).Build();
        var services = new ServiceCollection().AddSerialLinks(configuration).BuildServiceProvider();
        var links = new KeptLinks(services.GetRequiredService<ISerialLinkProvider>());
        var settings = new Dictionary<string, object> { ["port"] = simulator.TerminalPath, ["terminalName"] = TerminalName, ["tillNumber"] = 1 };
        if (stepMs is { } step2)
        {
            settings["stepTimeoutMs"] = step2;
        }

        foreach (var (key, value) in extraSettings ?? [])
        {
            settings[key] = value;
        }

        var context = new TestPluginContext(JsonSerializer.SerializeToElement(settings), links);
        var plugin = new TetraPlugin();
        await plugin.StartAsync(context, CancellationToken.None).WaitAsync(Deadline);
        return new TetraBench(simulator, services, plugin, context, links);
    }

    public Task<CardIdentity> ReadAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Terminal.ReadCardAsync(TerminalName, timeout, cancellationToken).WaitAsync(Deadline, CancellationToken.None);

    public Task<TerminalPaymentResult> PayAsync(decimal amount, string reference = "S-2026-000042", CancellationToken cancellationToken = default) =>
        Terminal.TakePaymentAsync(new TerminalPaymentRequest(TerminalName, amount, reference, TimeSpan.FromSeconds(5)), cancellationToken).WaitAsync(Deadline, CancellationToken.None);

    /// <summary>Polls <paramref name="condition"/> until true or the deadline.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"{what}: not within {Deadline}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Plugin.StopAsync(CancellationToken.None).WaitAsync(Deadline);
        }
        finally
        {
            await Simulator.DisposeAsync();
            await _services.DisposeAsync();
        }
    }
}
