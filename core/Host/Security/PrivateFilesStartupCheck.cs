using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.Host.Logging;
using Middleware.Shared.Unix;

namespace Middleware.Host.Security;

/// <summary>
/// The first hosted service: refuses to start when a store, key, secrets file or log folder could be written by
/// another account (<see cref="PrivateFilesCheck"/>), naming each file and setting. The check runs in the constructor:
/// the host builds its hosted services in registration order, and the later ones (tickets, payments, reference data)
/// open their stores as they are built, before any StartAsync.
/// </summary>
internal sealed class PrivateFilesStartupCheck : IHostedService
{
    public PrivateFilesStartupCheck(IConfiguration configuration, ILogger<PrivateFilesStartupCheck> logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var paths = InstallationPaths.PrivateFiles(configuration)
            .Concat(HostLogging.LogFolders(configuration).Select(folder => new PrivatePath("Serilog", folder, PrivateFileKind.LogFolder)))
            .ToList();
        var problems = new PrivateFilesCheck(UnixFileStatus.EffectiveUid).Run(paths);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException("PrivateFiles", typeof(PrivateFilesStartupCheck), problems);
        }

        logger.LogDebug("{Count} stores, keys and log folders are private to the host's account", paths.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
