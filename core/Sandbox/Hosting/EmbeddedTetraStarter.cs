using Microsoft.Extensions.Logging;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Sandbox.Hosting;

/// <summary>Starts the embedded sandbox's simulated Tetra when <see cref="EmbeddedTetraSettings.Enabled"/>. A missing
/// socat or a failed start is logged and gives no simulator: the sandbox itself still starts.</summary>
/// <param name="settings">Section <c>Sandbox:Tetra</c>.</param>
/// <param name="logger">Where the missing socat or a failed start is told.</param>
/// <param name="isInstalled">Whether a program is on the PATH; the PATH search by default (tests: a machine without socat).</param>
internal sealed class EmbeddedTetraStarter(EmbeddedTetraSettings settings, ILogger logger, Func<string, bool>? isInstalled = null)
{
    private static readonly string[] LinkNames = ["tetra", "tetra-sim"];

    /// <summary>The started simulator, or null (disabled, no socat, failed).</summary>
    public async Task<TetraSimulator?> StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            return null;
        }

        if (!(isInstalled ?? OnPath)("socat"))
        {
            logger.LogWarning("Sandbox:Tetra:Enabled is set but socat is not installed (apt-get install socat): no simulated Tetra at {Directory}", settings.Directory);
            return null;
        }

        try
        {
            var directory = Path.GetFullPath(settings.Directory);
            Directory.CreateDirectory(directory);
            RemoveStaleLinks(directory);
            var simulator = await TetraSimulator.StartAsync(directory, logger: logger, cancellationToken: cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Simulated Tetra for the sandbox: the host end is {TerminalPath}", simulator.TerminalPath);
            return simulator;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            logger.LogError(e, "The simulated Tetra did not start at {Directory}; the sandbox runs without it", settings.Directory);
            return null;
        }
    }

    // A host killed before it stopped leaves its links behind; one that points to a pseudo-terminal reused since would
    // pass for the new pair's before socat replaced it.
    private static void RemoveStaleLinks(string directory)
    {
        foreach (var name in LinkNames)
        {
            var link = new FileInfo(Path.Combine(directory, name));
            if (link.LinkTarget is not null)
            {
                link.Delete();
            }
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
}
