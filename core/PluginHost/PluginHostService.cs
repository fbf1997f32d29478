using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Middleware.PluginHost;

/// <summary>Loads the plugins when the host starts and stops and unloads them when it stops.</summary>
internal sealed class PluginHostService(PluginCatalog catalog, ILogger<PluginHostService> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        logger.LogDebug("Plugin host: starting");
        return Task.CompletedTask;
    }

    // Plugins load during StartAsync so that the pipe server (started after) finds them ready.
    public Task StartAsync(CancellationToken cancellationToken) => catalog.StartAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Plugin host started: {Statuses}", string.Join(", ", catalog.GetStatuses().Select(s => $"{s.Id}={s.State}")));
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        logger.LogDebug("Plugin host: stopping");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => catalog.StopAsync(cancellationToken);

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        logger.LogDebug("Plugin host: stopped");
        return Task.CompletedTask;
    }
}
