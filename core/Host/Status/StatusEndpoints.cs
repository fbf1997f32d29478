using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Middleware.Host.Operator;

namespace Middleware.Host.Status;

/// <summary>The operator status page (<c>GET /</c>) and its snapshot (<c>GET /status.json</c>), read-only, behind the access key.</summary>
internal sealed class StatusEndpoints(StatusSnapshotService snapshots) : IOperatorEndpoints
{
    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", async (HttpContext context) =>
            Results.Content(StatusPageHtml.Render(await snapshots.GetAsync(context.RequestAborted).ConfigureAwait(false)), "text/html; charset=utf-8"));
        endpoints.MapGet("/status.json", async (HttpContext context) =>
            Results.Json(await snapshots.GetAsync(context.RequestAborted).ConfigureAwait(false), StatusJson.Options));
    }
}
