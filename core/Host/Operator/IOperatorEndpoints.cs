using Microsoft.AspNetCore.Routing;

namespace Middleware.Host.Operator;

/// <summary>
/// A feature's pages or endpoints on the operator web server (status page, health, metrics). Register an
/// implementation as a singleton; the server maps every one at start, behind the access key. Map only read-only
/// (GET) endpoints: the server is for looking, the pipe is for acting.
/// </summary>
internal interface IOperatorEndpoints
{
    void Map(IEndpointRouteBuilder endpoints);
}
