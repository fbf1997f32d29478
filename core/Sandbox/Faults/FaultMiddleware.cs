using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Middleware.Sandbox.Faults;

/// <summary>Applies <see cref="SandboxFaults"/> to every request outside <c>/_sandbox</c>.</summary>
internal sealed class FaultMiddleware(RequestDelegate next, SandboxFaults faults, IHostApplicationLifetime lifetime, ILogger<FaultMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_sandbox", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var decision = faults.Decide(context.Request.Method, path);
        if (ReferenceEquals(decision, FaultDecision.None))
        {
            await next(context);
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            if (decision.LatencyMs > 0)
            {
                await Task.Delay(decision.LatencyMs, cts.Token);
            }

            if (decision.Hang)
            {
                logger.LogInformation("Fault: hanging {Method} {Path}", context.Request.Method, path);
                await Task.Delay(Timeout.Infinite, cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        if (decision.ErrorStatus is { } status)
        {
            logger.LogInformation("Fault: {Status} for {Method} {Path}", status, context.Request.Method, path);
            await Errors.Result(status, SandboxErrorCodes.InjectedFault, "Injected fault (sandbox).").ExecuteAsync(context);
            return;
        }

        if (decision.DropAfterCommit)
        {
            // Let the handler commit its change into a buffer, then cut the connection: the client never sees the answer.
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }

            logger.LogInformation("Fault: answer dropped after commit for {Method} {Path} (status {Status})", context.Request.Method, path, context.Response.StatusCode);
            context.Abort();
            return;
        }

        if (decision.ErrorAfterCommit is { } afterCommit)
        {
            // The handler commits into a buffer that is thrown away; the client sees only the error.
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            int handled;
            try
            {
                await next(context);
                handled = context.Response.StatusCode;
            }
            finally
            {
                context.Response.Body = original;
            }

            logger.LogInformation("Fault: {Status} after commit for {Method} {Path} (handled as {Handled})", afterCommit, context.Request.Method, path, handled);
            context.Response.Clear();
            await Errors.Result(afterCommit, SandboxErrorCodes.InjectedFault, "Injected fault after commit (sandbox).").ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
