using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Middleware.Api.Vem;

namespace Middleware.Host.Health;

/// <summary><c>vem</c>: the Crous VEM's base URL answers (tickets wait in the outbox while it does not).</summary>
internal sealed class VemHealthCheck(ApiReachability probe, IOptions<VemOptions> vem) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        probe.CheckAsync("VEM", vem.Value.BaseUrl, cancellationToken);
}
