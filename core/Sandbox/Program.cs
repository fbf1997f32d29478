using System.Globalization;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox;

// Standalone sandbox: dotnet run --project core/Sandbox -- --port 5080 --db sandbox.db [--token-lifetime 3600] [--quiet]
// As the host does, before any SQLite connection (see SqliteProcessSettings).
Middleware.Storage.SqliteProcessSettings.DisableMemoryStatistics();
var options = new SandboxOptions { Port = 5080 };
var quiet = false;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--port":
            options.Port = int.Parse(Next(), CultureInfo.InvariantCulture);
            break;
        case "--db":
            options.DatabasePath = Next();
            break;
        case "--token-lifetime":
            options.VemTokenLifetime = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture));
            break;
        case "--quiet":
            quiet = true;
            break;
        case "--help" or "-h":
            Console.WriteLine("Usage: Middleware.Sandbox [--port 5080 (0 = free port)] [--db sandbox.db] [--token-lifetime seconds] [--quiet]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]} (see --help).");
            return 2;
    }
}

using var loggerFactory = LoggerFactory.Create(b =>
{
    b.AddSimpleConsole(o => o.SingleLine = true);
    b.SetMinimumLevel(quiet ? LogLevel.Warning : LogLevel.Information);
});
options.LoggerFactory = loggerFactory;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

await using var server = await SandboxServer.StartAsync(options, stop.Token);
// One line on stdout that scripts can parse for the chosen port.
Console.WriteLine($"SANDBOX_URL={server.BaseUrl}");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C or SIGTERM: dispose stops Kestrel and closes the database.
}

return 0;
