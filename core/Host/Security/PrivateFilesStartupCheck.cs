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
    public PrivateFilesStartupCheck(IConfiguration configuration, IHostEnvironment environment, ILogger<PrivateFilesStartupCheck> logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var paths = InstallationPaths.PrivateFiles(configuration)
            .Concat(HostLogging.LogFolders(configuration).Select(folder => new PrivatePath("Serilog", folder, PrivateFileKind.LogFolder)))
            .Concat(ShadowCopyFolder(configuration, environment))
            .ToList();
        var problems = new PrivateFilesCheck(UnixFileStatus.EffectiveUid).Run(paths);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException("PrivateFiles", typeof(PrivateFilesStartupCheck), problems);
        }

        logger.LogDebug("{Count} stores, keys and log folders are private to the host's account", paths.Count);
    }

    /// <summary>A shadow-copy folder the operator named holds the plugin DLLs between their copy and their load: an
    /// account that may write it or its folder (under /tmp, say) could swap one. Resolved as the plugin catalog does
    /// (against the content root); checked, never created nor changed. The default, data/plugin-shadow, is the host's.</summary>
    private static IEnumerable<PrivatePath> ShadowCopyFolder(IConfiguration configuration, IHostEnvironment environment)
    {
        const string Setting = Middleware.PluginHost.PluginHostOptions.SectionName + ":ShadowCopyDirectory";
        if (configuration[Setting] is { Length: > 0 } folder && !string.IsNullOrWhiteSpace(folder))
        {
            yield return new PrivatePath(Setting, Path.GetFullPath(Path.Combine(environment.ContentRootPath, folder)), PrivateFileKind.Secret);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
