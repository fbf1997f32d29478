using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Middleware.Client;
using Middleware.Contracts.Readers;
using Middleware.Domain.Rpc;
using Middleware.Pipe;

namespace Middleware.PluginHost.Tests;

/// <summary>
/// A real middleware as far as plugins and tills are concerned: the generic host with the real plugin host
/// (<c>AddPluginHost</c>, plugins.json in the test bed's temp folder) and the real till pipe server
/// (<c>AddPipeServer</c>, a unique pipe name), plus <see cref="ReaderRpcTarget"/> so a till can reach a reader plugin.
/// </summary>
internal sealed class PipeTestMiddleware : IAsyncDisposable
{
    public const string PointOfSale = "1-1-1-1-1";

    private readonly IHost host;

    private PipeTestMiddleware(IHost host, string pipeName)
    {
        this.host = host;
        PipeName = pipeName;
    }

    public string PipeName { get; }

    public PluginCatalog Catalog => host.Services.GetRequiredService<PluginCatalog>();

    public IPluginHostControl Control => host.Services.GetRequiredService<IPluginHostControl>();

    public static async Task<PipeTestMiddleware> StartAsync(PluginTestBed bed, bool watchForChanges, TimeSpan callTimeout)
    {
        var pipeName = "mwt-" + Guid.NewGuid().ToString("N")[..12];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = bed.Root, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PluginHost:PluginsFile"] = bed.PluginsFile,
            ["PluginHost:ShadowCopyDirectory"] = Path.Combine(bed.Root, ".shadow"),
            ["PluginHost:WatchForChanges"] = watchForChanges ? "true" : "false",
            ["PluginHost:Debounce"] = "00:00:00.200",
            ["PluginHost:CallTimeout"] = callTimeout.ToString("c"),
            ["PluginHost:UnloadTimeout"] = "00:00:15",
            // A Malfunctioned plugin stays so for a test's length here (automatic recovery has tests of its own).
            ["PluginHost:MalfunctionRetryDelay"] = "00:10:00",
            ["PluginHost:MalfunctionRetryMaxDelay"] = "00:10:00", // the backoff cap is at least the first delay (checked at start)
            ["Pipe:PipeName"] = pipeName,
            ["Pipe:IdempotencyDatabasePath"] = Path.Combine(bed.Root, "idempotency.db"),
            ["PointsOfSale:0:Id"] = PointOfSale,
            ["PointsOfSale:0:Label"] = "Test till",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(bed.Logs);
        builder.Services.AddPluginHost(builder.Configuration);
        builder.Services.AddPipeServer(builder.Configuration);
        builder.Services.AddSingleton<IRpcTarget, ReaderRpcTarget>();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new PipeTestMiddleware(host, pipeName);
    }

    /// <summary>A till: its own pipe connection, hello said for <see cref="PointOfSale"/>.</summary>
    public Task<MiddlewareClient> ConnectTillAsync(string tillName) =>
        MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
        {
            PipeName = PipeName,
            PointOfSale = PointOfSale,
            TillName = tillName,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            CallTimeout = TimeSpan.FromSeconds(60),
        });

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

/// <summary>
/// The till-facing method of these tests: reads a card from a reader plugin. It reaches the plugin the way production
/// code reaches its plugins (the sale service and its channel plugins): a plugin id and
/// <see cref="IPluginCatalog.InvokeAsync{TPlugin, TResult}"/>, so timeouts, malfunctions and the hot-reload gate apply.
/// Only the card number goes back to the till: no plugin-defined type crosses the pipe's JSON serializer.
/// </summary>
internal sealed class ReaderRpcTarget(IPluginCatalog plugins) : IRpcTarget
{
    public const string Method = "test.readCard";

    [RpcMethod(Method)]
    public async Task<string> ReadCardAsync(string pluginId, string reader, CancellationToken cancellationToken)
    {
        var card = await plugins.InvokeAsync<ITerminalPlugin, CardIdentity>(pluginId, (plugin, ct) => plugin.ReadCardAsync(reader, TimeSpan.FromSeconds(5), ct), cancellationToken);
        return card.IdSupport;
    }
}

internal static class TillExtensions
{
    public static Task<string> ReadCardAsync(this MiddlewareClient till, string reader, string pluginId = "test.echo", CancellationToken cancellationToken = default) =>
        till.CallAsync<string>(ReaderRpcTarget.Method, new { pluginId, reader }, cancellationToken);

    public static async Task<PluginStatus> StatusOfAsync(this MiddlewareClient till, string pluginId) =>
        (await till.GetPluginStatusAsync()).Single(s => s.Id == pluginId && s.State != "Superseded");
}
