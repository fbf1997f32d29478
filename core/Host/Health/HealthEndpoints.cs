using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Middleware.Host.Operator;

namespace Middleware.Host.Health;

/// <summary>
/// <c>GET /health</c> on the operator web server (behind its access key): the overall status and each check's status,
/// description and duration as JSON; HTTP 503 when Unhealthy (a collector's probe alerts on the code alone), else 200.
/// </summary>
internal sealed class HealthEndpoints(HealthCheckService health) : IOperatorEndpoints
{
    public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapGet("/health", async (HttpContext context) =>
    {
        var report = await health.CheckHealthAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, HealthReportJson.From(report), HealthReportJson.Options, context.RequestAborted).ConfigureAwait(false);
    });
}
