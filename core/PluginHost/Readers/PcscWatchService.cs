using Microsoft.Extensions.Hosting;

namespace Middleware.PluginHost.Readers;

/// <summary>Runs the PC/SC watcher for the host's lifetime (started after the plugins, stopped before them).</summary>
internal sealed class PcscWatchService(PcscCardWatcher watcher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => watcher.RunAsync(stoppingToken);
}
