using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Api.Reference;
using Middleware.Chaos.Tests;
using Middleware.Api.Secrets;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox.Seed;

namespace Middleware.Benchmarks.Sale;

/// <summary>
/// The host as its executable composes it (MiddlewareHost.CreateBuilder: shipped appsettings.json and Serilog,
/// plugins.json, the repository's scripts), in this process, every store in a temp folder and the sandbox in a child
/// process; the pipe server runs but no till connects: callers use the services.
/// </summary>
internal sealed class SaleBenchHost : IAsyncDisposable
{
    public static readonly PointOfSaleId Till = PointOfSaleId.Parse("5-1-9-8-14");
    public const string Customer = "1000015";

    private readonly IHost _host;

    private SaleBenchHost(IHost host, SandboxProcess sandbox)
    {
        _host = host;
        Sandbox = sandbox;
    }

    public SandboxProcess Sandbox { get; }
    public IServiceProvider Services => _host.Services;

    public static async Task<SaleBenchHost> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-sale-calls", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var sandbox = await SandboxProcess.StartAsync(root, default).ConfigureAwait(false);
        try
        {
            await sandbox.SetBalanceAsync(Customer, 1_000_000_000, default).ConfigureAwait(false);
            foreach (var pointOfSale in SandboxSeed.Create(DateTimeOffset.UtcNow).PointsOfSale.Where(p => p.AppId == Till.ToString()))
            {
                Environment.SetEnvironmentVariable(SecretStore.InstallationKeyVariableFor(Till), pointOfSale.InstallationKey);
            }

            var url = sandbox.BaseUrl.ToString().TrimEnd('/');
            var data = Path.Combine(root, "data");
            string[] args =
            [
                "--environment=Development", $"--Pipe:PipeName=mwcalls-{Guid.NewGuid():N}"[..24], "--Host:Mode=console",
                $"--PluginsFile={Path.Combine(RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
                "--Sandbox:Enabled=false", $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
                $"--CrousApis:Reference:DatabasePath={Path.Combine(data, "reference.db")}",
                $"--Tickets:DatabasePath={Path.Combine(data, "tickets.db")}",
                $"--Payments:DatabasePath={Path.Combine(data, "payments.db")}",
                $"--Pipe:IdempotencyDatabasePath={Path.Combine(data, "idempotency.db")}",
                $"--Scripting:CacheDirectory={Path.Combine(data, "script-cache")}",
                $"--Journal:SigningKeyFile={Path.Combine(data, "journal.key")}",
                $"--Journal:ArchiveDirectory={Path.Combine(data, "archives")}",
                $"--OperatorWeb:AccessKeyFile={Path.Combine(data, "operator.key")}",
                $"--Pipe:SocketDirectory={Path.Combine(root, "run")}",
                $"--Serilog:WriteTo:1:Args:path={Path.Combine(root, "logs", "middleware-.log")}",
                // The background pass would otherwise fall inside measured calls every 5 s.
                "--Sales:RecoveryInterval=01:00:00",
            ];
            // MiddlewareHost is internal to the host's assembly (core/Host is not this benchmark's to open up): reached by name.
            var type = Assembly.Load("Middleware.Host").GetType("Middleware.Host.MiddlewareHost", throwOnError: true)!;
            var builder = (HostApplicationBuilder)type.GetMethod("CreateBuilder", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [args, null])!;
            var host = builder.Build();
            await host.StartAsync().ConfigureAwait(false);
            var sync = await host.Services.GetRequiredService<IReferenceStore>().SyncAsync(Till, default).ConfigureAwait(false);
            if (!sync.Succeeded)
            {
                await host.StopAsync().ConfigureAwait(false);
                host.Dispose();
                throw new InvalidOperationException("The reference data did not sync from the sandbox.");
            }

            return new SaleBenchHost(host, sandbox);
        }
        catch
        {
            await sandbox.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
        await Sandbox.DisposeAsync().ConfigureAwait(false);
    }

    private static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        return repo?.FullName ?? throw new InvalidOperationException("The benchmark runs outside the repository.");
    }
}
