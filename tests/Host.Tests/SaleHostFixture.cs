using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Api.Reference;
using Middleware.Client;
using Middleware.Domain.PointsOfSale;
using Middleware.Sandbox;
using Middleware.Sandbox.Hosting;

namespace Middleware.Host.Tests;

/// <summary>
/// The real host of <see cref="QrSaleEndToEndTests"/> for sale tests: shipped settings, the repository's plugins.json,
/// a unique pipe, every store in a temp folder and the embedded sandbox on a free port, reference data synced.
/// </summary>
internal sealed class SaleHost : IAsyncDisposable
{
    public static readonly PointOfSaleId Till = PointOfSaleId.Parse("5-1-9-8-14");

    private readonly IHost _host;

    private SaleHost(IHost host, SandboxServer sandbox, string pipeName, string root)
    {
        _host = host;
        Sandbox = sandbox;
        PipeName = pipeName;
        Root = root;
    }

    public SandboxServer Sandbox { get; }
    public string PipeName { get; }
    public string Root { get; }
    public IServiceProvider Services => _host.Services;

    /// <param name="extraArguments">More <c>--Section:Key=value</c> settings (they win over the defaults here).</param>
    public static async Task<SaleHost> StartAsync(params string[] extraArguments)
    {
        var root = NewRoot();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        var pipeName = "mws-" + Guid.NewGuid().ToString("N")[..10];
        var builder = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console",
            $"--PluginsFile={Path.Combine(RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            // The background pass polls web payments and settles lost answers: faster than the default 5 s for tests.
            "--Sales:RecoveryInterval=00:00:01",
            .. HostStartTests.SandboxArguments(root), .. extraArguments], root);
        var host = builder.Build();
        await host.StartAsync();
        try
        {
            var sandbox = await host.Services.GetRequiredService<EmbeddedSandbox>().Started.WaitAsync(TimeSpan.FromSeconds(60));
            var sync = await host.Services.GetRequiredService<IReferenceStore>().SyncAsync(Till, default);
            Assert.True(sync.Succeeded, "the reference data of the till must sync from the sandbox");
            return new SaleHost(host, sandbox, pipeName, root);
        }
        catch
        {
            await host.StopAsync();
            host.Dispose();
            throw;
        }
    }

    public Task<MiddlewareClient> ConnectAsync() => ConnectAsync(PipeName);

    public static Task<MiddlewareClient> ConnectAsync(string pipeName, int mutatingAttempts = 3) =>
        MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
        {
            PipeName = pipeName,
            PointOfSale = Till.ToString(),
            ConnectTimeout = TimeSpan.FromSeconds(20),
            CallTimeout = TimeSpan.FromSeconds(60),
            MutatingAttempts = mutatingAttempts,
        });

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return root;
    }

    public static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        return repo?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }
}

/// <summary>Shares one host between the tests of a class (each test uses its own customers, so they do not interfere).</summary>
public sealed class SaleHostFixture : IAsyncLifetime
{
    private SaleHost? _host;

    internal SaleHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public async Task InitializeAsync() => _host = await SaleHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>What a till does in every sale test.</summary>
internal static class TillSteps
{
    /// <summary>Opens a sale with one main dish (article 1201) and returns its id.</summary>
    public static async Task<string> OpenMealAsync(MiddlewareClient till, int codeArticle = 1201)
    {
        var sale = await till.CallMutatingAsync("sale.open", new { });
        var saleId = sale.GetProperty("saleId").GetString()!;
        await till.CallMutatingAsync("sale.setBasket", new { saleId, lines = new[] { new { codeArticle, quantity = 1 } } });
        return saleId;
    }

    public static Task<JsonElement> IdentifyQrAsync(MiddlewareClient till, string saleId, string qrCode) =>
        till.CallMutatingAsync("sale.identifyQr", new { saleId, qrCode });

    public static Task<JsonElement> GetSaleAsync(MiddlewareClient till, string saleId) => till.CallAsync("sale.get", new { saleId });

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes (then fails with <paramref name="what"/>).</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}; last value: {value}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Calls and expects a middleware error.</summary>
    public static async Task<MiddlewareRpcException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<MiddlewareRpcException>(call);
}
