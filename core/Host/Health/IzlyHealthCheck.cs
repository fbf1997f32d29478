using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Middleware.Api.Izly;

namespace Middleware.Host.Health;

/// <summary><c>izly</c>: Izly's base URL answers (no Izly payment can be taken while it does not).</summary>
internal sealed class IzlyHealthCheck(ApiReachability probe, IOptions<IzlyOptions> izly) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        probe.CheckAsync("Izly", izly.Value.BaseUrl, cancellationToken);
}
