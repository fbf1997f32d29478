using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Middleware.Host.Operator;
using OpenTelemetry.Metrics;

namespace Middleware.Host.Telemetry;

/// <summary>
/// <c>GET /metrics</c> in Prometheus' text format, on the operator web server and so behind its access key (Prometheus
/// scrapes it with <c>authorization: {credentials_file: ...}</c>).
/// <para>Why OpenTelemetry.Exporter.Prometheus.AspNetCore, a prerelease: it is OpenTelemetry .NET's only Prometheus
/// exporter. Its HttpListener sibling would open a second, unauthenticated port (http.sys or a raw listener, without
/// the access key or https), and a collector in front would add a process to every till PC for what a scrape does
/// alone. This one maps on the Kestrel the host already runs, behind the key. The host's MeterProvider is passed in:
/// the operator server has its own service container.</para>
/// </summary>
internal sealed class PrometheusEndpoints(MeterProvider meters) : IOperatorEndpoints
{
    public void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint("/metrics", meters, configureBranchedPipeline: null, optionsName: null);
}
