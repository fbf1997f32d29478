using Microsoft.Extensions.Hosting;
using Middleware.Host;

// The middleware host: console program, systemd service or Windows service (see HostModeSelector).
var builder = MiddlewareHost.CreateBuilder(args);
using var host = builder.Build();
await host.RunAsync();
return 0;
