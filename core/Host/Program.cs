using Microsoft.Extensions.Hosting;
using Middleware.Host;

// The middleware host: console program, systemd service or Windows service (see HostModeSelector).
var builder = MiddlewareHost.CreateBuilder(args);
try
{
    // Building reads the logging settings (a refused one stops the host here) and starting runs every other check.
    using var host = builder.Build();
    await host.RunAsync();
}
catch (Exception ex) when (StartupRefusal.Failures(ex) is { } failures)
{
    // Checked before any store is opened or the pipe served: the list, not a stack trace, is what the operator needs.
    StartupRefusal.Write(Console.Error, failures);
    return StartupRefusal.ExitCode;
}

return 0;
