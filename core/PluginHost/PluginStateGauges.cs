using System.Diagnostics;
using System.Diagnostics.Metrics;
using Middleware.Domain.Telemetry;

namespace Middleware.PluginHost;

/// <summary>
/// Each plugin's state as an observable gauge: 1 for the series (plugin, state) it is in, as Prometheus' state-set
/// metrics do (<c>middleware_plugins_state{state="Malfunctioned"} == 1</c> alerts). Plugin ids come from plugins.json
/// (bounded); superseded versions waiting to unload are left out. Made from the host's IMeterFactory, ends with it.
/// </summary>
public sealed class PluginStateGauges
{
    public PluginStateGauges(IMeterFactory meters, IPluginCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(catalog);
        meters.Create(MiddlewareTelemetry.Name).CreateObservableGauge(
            "middleware.plugins.state",
            () => catalog.GetStatuses()
                .Where(s => s.State != Middleware.Contracts.Plugins.PluginState.Superseded)
                .Select(s => new Measurement<int>(1, new TagList { { MiddlewareTelemetry.Tags.Plugin, s.Id }, { MiddlewareTelemetry.Tags.State, s.State.ToString() } })),
            "{plugin}",
            "1 for each plugin in its current state (Active, Disabled, NotSupported, Malfunctioned...).");
    }
}
