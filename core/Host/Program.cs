using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Middleware.Host;
using Middleware.Storage;

// The middleware host: console program, systemd service or Windows service (see HostModeSelector).
// Before any store opens a connection (see SqliteProcessSettings).
var sqliteMemoryStatisticsOff = SqliteProcessSettings.DisableMemoryStatistics();
var builder = MiddlewareHost.CreateBuilder(args);
try
{
    // Building reads the logging settings (a refused one stops the host here) and starting runs every other check.
    using var host = builder.Build();
    var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Middleware.Host");
    if (sqliteMemoryStatisticsOff)
    {
        log.LogInformation("SQLite memory statistics off (no process-wide lock on SQLite's allocations)");
    }
    else
    {
        log.LogWarning("SQLite refused to turn its memory statistics off; its allocations share one process-wide lock");
    }

    await host.RunAsync();
}
catch (Exception ex) when (StartupRefusal.Failures(ex) is { } failures)
{
    // Checked before any store is opened or the pipe served: the list, not a stack trace, is what the operator needs.
    StartupRefusal.Write(Console.Error, failures);
    return StartupRefusal.ExitCode;
}

return 0;
