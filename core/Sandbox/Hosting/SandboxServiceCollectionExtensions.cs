using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Sandbox.Hosting;

/// <summary>Settings of the embedded sandbox (configuration section <c>Sandbox</c>).</summary>
public sealed class EmbeddedSandboxSettings
{
    /// <summary>Start the sandbox with the host. Default true (the sandbox is the embedded default); refused in the
    /// Production environment unless <see cref="AllowInProduction"/> (<see cref="SandboxProductionRule"/>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Lets the sandbox run in the Production environment (a demo machine); it then logs a Warning. Default false.</summary>
    public bool AllowInProduction { get; set; }

    /// <summary>Loopback port; 0 picks a free one. Default 5080.</summary>
    public int Port { get; set; } = 5080;

    /// <summary>The sandbox's own SQLite file. Default <c>sandbox.db</c>.</summary>
    public string DatabasePath { get; set; } = "sandbox.db";

    /// <summary>VEM token lifetime in seconds. Default 3600.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>The simulated Tetra of demos (section <c>Sandbox:Tetra</c>). Default off.</summary>
    public EmbeddedTetraSettings Tetra { get; set; } = new();
}

/// <summary>The embedded sandbox once started: its base URL for the VEM and Izly clients.</summary>
public sealed class EmbeddedSandbox
{
    private readonly TaskCompletionSource<SandboxServer> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the sandbox listens (never when it is disabled).</summary>
    public Task<SandboxServer> Started => _started.Task;

    internal void SetStarted(SandboxServer server) => _started.TrySetResult(server);

    internal void SetFailed(Exception e) => _started.TrySetException(e);
}

internal sealed class EmbeddedSandboxService(EmbeddedSandboxSettings settings, EmbeddedSandbox holder, ILoggerFactory loggerFactory, IHostEnvironment environment, TimeProvider? time = null) : IHostedService, IAsyncDisposable
{
    private SandboxServer? _server;
    private TetraSimulator? _tetra;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            return;
        }

        if (environment.IsProduction())
        {
            // Only reachable with Sandbox:AllowInProduction=true (SandboxProductionRule): say it loudly, it is a demo machine.
            loggerFactory.CreateLogger<EmbeddedSandboxService>().LogWarning(
                "SANDBOX IN PRODUCTION: the embedded sandbox (fake Izly and VEM, no real payment, no ticket reaches the Crous) runs in the {Environment} environment because Sandbox:AllowInProduction is true. Never on a site till.",
                environment.EnvironmentName);
        }

        try
        {
            // Before the plugin host (a later hosted service): the Tetra plugin finds the link at its first open.
            _tetra = await new EmbeddedTetraStarter(settings.Tetra, loggerFactory.CreateLogger<TetraSimulator>()).StartAsync(cancellationToken);
            _server = await SandboxServer.StartAsync(new SandboxOptions
            {
                Port = settings.Port,
                DatabasePath = settings.DatabasePath,
                VemTokenLifetime = TimeSpan.FromSeconds(settings.TokenLifetimeSeconds),
                LoggerFactory = loggerFactory,
                TimeProvider = time ?? TimeProvider.System,
                Tetra = _tetra,
            }, cancellationToken);
            holder.SetStarted(_server);
        }
        catch (Exception e)
        {
            // The host keeps running without its sandbox; the clients then report the API unreachable.
            loggerFactory.CreateLogger<EmbeddedSandboxService>().LogError(e, "Embedded sandbox failed to start on port {Port}", settings.Port);
            holder.SetFailed(e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => ReleaseAsync();

    // A host disposed without a stop (a failed start, a test's assertion) must not leave socat running.
    public async ValueTask DisposeAsync() => await ReleaseAsync();

    private async Task ReleaseAsync()
    {
        try
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
        finally
        {
            // After the server, whose admin route switches it: socat dies and the links go.
            if (Interlocked.Exchange(ref _tetra, null) is { } tetra)
            {
                await tetra.DisposeAsync();
            }
        }
    }
}

/// <summary>DI registration of the embedded sandbox.</summary>
public static class SandboxServiceCollectionExtensions
{
    /// <summary>Starts the sandbox with the host when <c>Sandbox:Enabled</c> (default true); inject <see cref="EmbeddedSandbox"/> for its URL.</summary>
    public static IServiceCollection AddSandbox(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = new EmbeddedSandboxSettings();
        configuration.GetSection("Sandbox").Bind(settings);
        services.AddSingleton(settings);
        // Checked when the host starts, before any hosted service (the sandbox's Production rule).
        services.AddOptions<EmbeddedSandboxSettings>().Bind(configuration.GetSection("Sandbox")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddedSandboxSettings>, SandboxProductionRule>());
        services.AddSingleton<EmbeddedSandbox>();
        services.AddHostedService(sp => new EmbeddedSandboxService(settings, sp.GetRequiredService<EmbeddedSandbox>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IHostEnvironment>(), sp.GetService<TimeProvider>()));
        return services;
    }
}
