using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Middleware.Contracts.Readers;
using Middleware.PluginHost.Pcsc;
using Middleware.PluginHost.Readers;

namespace Middleware.Host.Health;

/// <summary>
/// <c>pcscd</c>: a PC/SC context can be established and the readers listed. Healthy "disabled" when the host does not
/// watch its readers (<c>CardReaders:Enabled=false</c>); Degraded when pcscd answers with no reader.
/// </summary>
internal sealed class PcscHealthCheck(ISmartCardSystem pcsc, IOptions<CardReaderOptions> readers, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readers.Value.Enabled)
        {
            return HealthCheckResult.Healthy("disabled");
        }

        var limit = options.Value.LocalTimeout;
        try
        {
            // The PC/SC calls block: on the thread pool, and given up (not waited for) past the limit.
            var list = await Task.Run(() => pcsc.ListReadersAsync(cancellationToken), cancellationToken).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
            return list.Count == 0
                ? HealthCheckResult.Degraded("pcscd answers but lists no reader.")
                : HealthCheckResult.Healthy($"{list.Count} reader(s): {string.Join(", ", list.Take(8))}.");
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"pcscd did not list the readers within {limit.TotalSeconds:0.#} s.");
        }
        catch (SmartCardException ex)
        {
            return HealthCheckResult.Unhealthy($"PC/SC: {ex.Error} ({ex.Message}).");
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return HealthCheckResult.Unhealthy("The PC/SC library (libpcsclite) is not installed.");
        }
    }
}
