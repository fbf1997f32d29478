using Microsoft.AspNetCore.Http;

namespace Middleware.Host.Operator;

/// <summary>
/// Every request carries the access key: <c>Authorization: Bearer KEY</c> (scripts, Prometheus' <c>authorization</c>
/// setting), or the cookie set by <c>/login?key=KEY</c> (a browser: the page then reloads itself without the key in
/// its address). Anything else answers 401 with no detail.
/// </summary>
internal sealed class OperatorAccessMiddleware(RequestDelegate next, OperatorAccessKey key)
{
    public const string CookieName = "mw-operator";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/login", StringComparison.Ordinal))
        {
            if (key.Matches(context.Request.Query["key"].ToString()))
            {
                context.Response.Cookies.Append(CookieName, key.Value, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = context.Request.IsHttps,
                    Path = "/",
                });
                context.Response.Redirect("/");
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var presented = authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            ? authorization["Bearer ".Length..].Trim()
            : context.Request.Cookies[CookieName];
        if (presented is null || !key.Matches(presented))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }

        // The pages show sales figures and reader names: never cached by a shared browser or proxy.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
        await next(context);
    }
}
