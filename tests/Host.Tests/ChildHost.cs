using System.Diagnostics;
using Middleware.Client;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;

namespace Middleware.Host.Tests;

/// <summary>The real host executable (Middleware.Host.dll of this test's output) as a child process.</summary>
internal sealed class ChildHost : IDisposable
{
    private readonly System.Text.StringBuilder _output = new();

    private ChildHost(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildHost Start(string root, string pipeName, SandboxServer sandbox, string? crashPoint, string? pluginsFile = null, params string[] extraArguments) =>
        Start(root, pipeName, sandbox.BaseUrl, crashPoint, pluginsFile, extraArguments);

    /// <summary>The host with its Izly and VEM clients pointed at <paramref name="apiUrl"/> (a host refused at start
    /// never calls them).</summary>
    public static ChildHost Start(string root, string pipeName, Uri apiUrl, string? crashPoint, string? pluginsFile = null, params string[] extraArguments)
    {
        var url = apiUrl.ToString().TrimEnd('/');
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll"),
            $"--Pipe:PipeName={pipeName}", "--Host:Mode=console",
            $"--PluginsFile={pluginsFile ?? Path.Combine(SaleHost.RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            // Izly and VEM are outside the host, as in production: this test's sandbox.
            "--Sandbox:Enabled=false", $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
            $"--CrousApis:Reference:DatabasePath={Path.Combine(root, "reference.db")}",
            $"--Tickets:DatabasePath={Path.Combine(root, "tickets.db")}",
            $"--Payments:DatabasePath={Path.Combine(root, "payments.db")}",
            $"--Pipe:IdempotencyDatabasePath={Path.Combine(root, "idempotency.db")}",
            $"--Journal:SigningKeyFile={Path.Combine(root, "journal.key")}", $"--Journal:ArchiveDirectory={Path.Combine(root, "archives")}",
            "--Sales:RecoveryInterval=00:00:01",
            $"--Serilog:WriteTo:1:Args:path={Path.Combine(root, "logs", "middleware-.log")}",
            // The virtual readers belong to the PC/SC tests (PcscTestLock): a host watching them would read their cards.
            "--CardReaders:Enabled=false",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (crashPoint is not null)
        {
            start.ArgumentList.Add($"--Chaos:CrashPoint={crashPoint}");
        }

        var key = SandboxSeed.Create(DateTimeOffset.UtcNow).PointOfSale(SandboxSeed.MainTill).InstallationKey;
        start.Environment["MW_VEM_INSTALLATION_KEY_5_1_9_8_14"] = key;
        // The embedded sandbox is refused in Production (the default environment): tests run the host as Development.
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var child = new ChildHost(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>A till on the child's pipe, once the child opened it (it needs a few seconds to compile its scripts); fails
    /// at once if the child died meanwhile.</summary>
    public async Task<MiddlewareClient> ConnectTillAsync(string pipeName)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await SaleHost.ConnectAsync(pipeName, mutatingAttempts: 1);
            }
            catch (Exception ex) when (ex is MiddlewareConnectionException or TimeoutException && DateTime.UtcNow < deadline && !Process.HasExited)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Stops the child (this test's own process, by its handle).</summary>
    public void Stop()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(30_000);
        }
    }

    public void Dispose()
    {
        Stop();
        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
