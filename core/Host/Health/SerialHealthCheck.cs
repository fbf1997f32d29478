using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Middleware.Host.Health;

/// <summary>
/// <c>serial</c>: each serial link an enabled plugin names in plugins.json (its <c>port</c> setting) is openable: the
/// device exists and this account may read and write it. The device is not opened here: closing a tty drops its modem
/// lines, which would cut the terminal a plugin is talking to. A <c>tcp://</c> link is reported, not probed (a PCL bridge
/// may take one client only). Healthy "no serial link" when no enabled plugin names one.
/// </summary>
internal sealed partial class SerialHealthCheck(IConfiguration configuration) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var links = ConfiguredLinks(configuration);
        if (links.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no serial link"));
        }

        var problems = new List<string>();
        var fine = new List<string>();
        foreach (var (plugin, port) in links)
        {
            if (port.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
            {
                fine.Add($"{plugin}: {port} (tcp, not probed)");
            }
            else if (!File.Exists(port))
            {
                problems.Add($"{plugin}: {port} does not exist (unplugged?)");
            }
            else if (!Openable(port))
            {
                problems.Add($"{plugin}: {port} may not be read and written by this account");
            }
            else
            {
                fine.Add($"{plugin}: {port}");
            }
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy(string.Join("; ", fine))
            : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }

    /// <summary>(plugin id, port) of each enabled plugin of plugins.json with a <c>port</c> setting.</summary>
    internal static List<(string Plugin, string Port)> ConfiguredLinks(IConfiguration configuration) =>
        [.. configuration.GetSection("plugins").GetChildren()
            .Where(p => p.GetValue("enabled", true) && !string.IsNullOrWhiteSpace(p["settings:port"]))
            .Select(p => (p["id"] ?? "?", p["settings:port"]!))];

    // access(2) answers for this account, its groups and ACLs alike, without opening the device.
    private static bool Openable(string path) =>
        OperatingSystem.IsWindows() || NativeMethods.Access(path, ReadWrite) == 0;

    private const int ReadWrite = 4 | 2; // R_OK | W_OK

    private static partial class NativeMethods
    {
        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "access", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
        public static partial int Access(string path, int mode);
    }
}
