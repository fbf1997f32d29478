using System.Diagnostics;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Chaos.Tests;

/// <summary>
/// The real host executable (shipped appsettings.json, the repository's plugins.json) as a child process that the harness
/// kills with SIGKILL and starts again on the same stores. Its Izly and VEM are the sandbox process.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly string _root;
    private readonly Uri _sandbox;
    private readonly IReadOnlyList<ChaosTill> _tills;
    private readonly string _secretsFile;
    private Process? _process;
    private int _starts;

    public HostProcess(string root, Uri sandbox, IReadOnlyList<ChaosTill> tills, IReadOnlyDictionary<string, string> installationKeys)
    {
        _root = root;
        _sandbox = sandbox;
        _tills = tills;
        PipeName = "mwchaos-" + Guid.NewGuid().ToString("N")[..8];
        _secretsFile = Path.Combine(root, "secrets.json");
        File.WriteAllText(_secretsFile, JsonSerializer.Serialize(new { vemInstallationKeys = installationKeys }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_secretsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        if (tills.Any(t => t.Reader is not null))
        {
            Middleware.VirtualCards.Izly.DemoSamKeys.WriteKeyFile(SamKeyFile);
        }
    }

    public string PipeName { get; }

    /// <summary>The scripts folder this host reads (a copy of the repository's, so hot reloads never touch the tree).</summary>
    public string ScriptsRoot => Path.Combine(_root, "scripts");

    public string LogsFolder => Path.Combine(_root, "logs");

    /// <summary>The software SAM's key file (the sandbox's public demo keys, mode 600), written when a till reads cards.</summary>
    public string SamKeyFile => Path.Combine(_root, "sam-keys.json");

    public int Pid => _process?.Id ?? 0;

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync(CancellationToken ct)
    {
        var url = _sandbox.ToString().TrimEnd('/');
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var arguments = new List<string>
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll"),
            $"--Pipe:PipeName={PipeName}", "--Host:Mode=console",
            $"--PluginsFile={Path.Combine(RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            "--Sandbox:Enabled=false", $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
            $"--CrousApis:Reference:DatabasePath={Path.Combine(_root, "reference.db")}",
            $"--Tickets:DatabasePath={Path.Combine(_root, "tickets.db")}",
            $"--Payments:DatabasePath={Path.Combine(_root, "payments.db")}",
            $"--Pipe:IdempotencyDatabasePath={Path.Combine(_root, "idempotency.db")}",
            $"--Scripting:ScriptsRoot={ScriptsRoot}", $"--Scripting:CacheDirectory={Path.Combine(_root, "script-cache")}",
            $"--Serilog:WriteTo:1:Args:path={Path.Combine(LogsFolder, "middleware-.log")}",
            // A busy site's settings, scaled down so that a run settles in seconds: every budget still nests
            // (Izly debit 5 s < payment budget 6 s; settle delay 20 s >= 2 x (6 s + 2 s grace)).
            "--CrousApis:Izly:DebitTimeout=00:00:05", "--Payments:DebitTimeout=00:00:06", "--Payments:SettleDelay=00:00:20",
            "--Payments:RecoveryInterval=00:00:02", "--Sales:RecoveryInterval=00:00:01",
            "--Tickets:InitialBackoff=00:00:01", "--Tickets:MaxBackoff=00:00:05", "--Tickets:PollInterval=00:00:01",
            // The IzlyPay give-up, 15 min in production: a late confirmation (a fault of the run) comes after it.
            $"--Sales:WebPaymentTimeout={ChaosProfile.WebPaymentTimeout:c}",
        };
        foreach (var t in _tills)
        {
            arguments.Add($"--PointsOfSale:{t.Index}:Id={t.PointOfSale}");
            arguments.Add($"--PointsOfSale:{t.Index}:Label={t.Label}");
            arguments.Add($"--PointsOfSale:{t.Index}:TimeZone=Europe/Paris");
            arguments.Add($"--PointsOfSale:{t.Index}:ScriptSite={t.ScriptSite}");
            if (t.Reader is not null)
            {
                arguments.Add($"--PointsOfSale:{t.Index}:Readers:0={t.Reader}");
            }
        }

        if (_tills.Any(t => t.Reader is not null))
        {
            arguments.Add($"--Cards:SoftwareSam:KeyFile={SamKeyFile}");
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["MW_SECRETS_FILE"] = _secretsFile;
        // The embedded sandbox is refused in Production (the default environment): tests run the host as Development.
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the host.");
        var n = Interlocked.Increment(ref _starts);
        var console = new StreamWriter(Path.Combine(_root, $"host-{n:D3}.out")) { AutoFlush = true };
        void Write(string? line)
        {
            if (line is not null)
            {
                lock (console)
                {
                    console.WriteLine(line);
                }
            }
        }

        // Drain the console (the host logs to it): a full pipe would block the host.
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) =>
        {
            lock (console)
            {
                console.Dispose();
            }
        };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitReadyAsync(ct);
    }

    /// <summary>SIGKILL: no shutdown, no flush; what is on disk is what the next start finds.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    public MiddlewareClientOptions ClientOptions(string pointOfSale, string tillName) => new()
    {
        PipeName = PipeName,
        PointOfSale = pointOfSale,
        TillName = tillName,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        // Longer than any call's longest answer (a debit's 6 s budget plus its grace): a silent host is a dead one.
        CallTimeout = TimeSpan.FromSeconds(45),
        // The till retries itself, with the same requestId, across restarts of the host.
        MutatingAttempts = 1,
    };

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process is { HasExited: true } p)
            {
                throw new InvalidOperationException($"The host exited with code {p.ExitCode} while starting (see host-*.out in {_root}).");
            }

            try
            {
                await using var client = await MiddlewareClient.ConnectAsync(ClientOptions(_tills[0].PointOfSale, "chaos-probe"), ct);
                await client.PingAsync(ct);
                return;
            }
            catch (Exception e) when (e is MiddlewareConnectionException or TimeoutException or IOException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    public static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        return repo?.FullName ?? throw new InvalidOperationException("The chaos harness runs from the repository's build output.");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
