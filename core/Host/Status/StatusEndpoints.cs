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
        // A CancellationToken parameter (the request's), not HttpContext: a lambda of HttpContext alone binds as a
        // RequestDelegate, whose result is dropped (an empty 200).
        endpoints.MapGet("/", async (CancellationToken cancellationToken) =>
            Results.Content(StatusPageHtml.Render(await snapshots.GetAsync(cancellationToken).ConfigureAwait(false)), "text/html; charset=utf-8"));
        endpoints.MapGet("/status.json", async (CancellationToken cancellationToken) =>
            Results.Json(await snapshots.GetAsync(cancellationToken).ConfigureAwait(false), StatusJson.Options));
    }
}
