using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting.WindowsServices;
using Middleware.Host.Logging;
using Middleware.Host.Security;
using Middleware.Pipe.Server;
using Serilog;

namespace Middleware.Host;

/// <summary>Builds the host: configuration sources, Serilog, service mode and the features of <see cref="Composition"/>.</summary>
internal static class MiddlewareHost
{
    /// <summary>Prefix of the environment variables read as configuration (<c>MIDDLEWARE_Pipe__PipeName=...</c>).</summary>
    public const string EnvironmentPrefix = "MIDDLEWARE_";

    /// <summary>The Windows service name.</summary>
    public const string ServiceName = "IzlyMiddleware";

    /// <param name="args">Command line; <c>--Section:Key=value</c> overrides any setting.</param>
    /// <param name="contentRoot">Where appsettings.json is; default: <c>--contentRoot</c> of the command line (an
    /// installation keeps its settings beside plugins.json, its executables in bin/), else the executable's folder (a
    /// service's working directory is not its own).</param>
    public static HostApplicationBuilder CreateBuilder(string[] args, string? contentRoot = null)
    {
        // Before anything is created: every file and folder of this process is private to its account (#18).
        ProcessUmask.MakePrivate();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = contentRoot ?? ContentRootArgument(args) ?? AppContext.BaseDirectory,
            ApplicationName = "Middleware.Host",
        });

        // Sources, lowest priority first: appsettings.json, appsettings.{Environment}.json (defaults), plugins.json,
        // MIDDLEWARE_* environment variables, command line.
        var pluginsFile = ResolvePluginsFile(builder.Configuration["PluginsFile"], builder.Environment.ContentRootPath);
        builder.Configuration.AddJsonFile(pluginsFile, optional: true, reloadOnChange: true);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args);

        var (mode, warning) = HostModeSelector.Select(
            builder.Configuration["Host:Mode"],
            OperatingSystem.IsWindows(),
            OperatingSystem.IsWindows() && WindowsServiceHelpers.IsWindowsService(),
            SystemdHelpers.IsSystemdService());
        switch (mode)
        {
            case HostMode.WindowsService:
                builder.Services.AddWindowsService(o => o.ServiceName = ServiceName);
                break;
            case HostMode.Systemd when SystemdHelpers.IsSystemdService():
                builder.Services.AddSystemd();
                break;
            case HostMode.Systemd:
                // AddSystemd does nothing unless systemd is the parent process; Host:Mode=systemd asks for its lifetime
                // anyway (a wrapper between systemd and the host, a test reading NOTIFY_SOCKET): READY=1, STOPPING=1, SIGTERM.
                builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
                builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
                break;
        }

        ConfigureLogging(builder);
        // The folder of plugins.json is the installation folder: the plugin host, the scripts and every relative store or
        // key-file path resolve from there.
        var installation = Path.GetDirectoryName(pluginsFile)!;
        builder.Configuration["PluginHost:PluginsFile"] = pluginsFile;
        var scriptsRoot = builder.Configuration["Scripting:ScriptsRoot"] ?? "scripts";
        builder.Configuration["Scripting:ScriptsRoot"] = Path.IsPathRooted(scriptsRoot) ? scriptsRoot : Path.Combine(installation, scriptsRoot);
        // The sandbox's simulated Tetra folder holds pty links, not a store: resolved here, never made 0600 by the check.
        builder.Configuration["Sandbox:Tetra:Directory"] = Path.GetFullPath(
            builder.Configuration["Sandbox:Tetra:Directory"] is { Length: > 0 } tetra ? tetra : Middleware.Sandbox.Hosting.EmbeddedTetraSettings.DefaultDirectory, installation);
        InstallationPaths.Resolve(builder.Configuration, installation);
        if (string.IsNullOrWhiteSpace(builder.Configuration["Pipe:SocketDirectory"]))
        {
            builder.Configuration["Pipe:SocketDirectory"] = PipeAddress.DefaultSocketDirectory(Path.Combine(installation, "run"));
        }

        // First hosted services: every setting is checked (all errors at once), then no store is opened before the check
        // that others cannot write it.
        builder.Services.AddHostedService<ConfigurationStartupCheck>();
        builder.Services.AddHostedService<PrivateFilesStartupCheck>();
        builder.Services.AddMiddlewareFeatures(builder.Configuration);
        builder.Services.AddSingleton(new HostStartInfo(mode, warning, pluginsFile));
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }

    /// <summary>Serilog from the <c>Serilog</c> section (console and size-bounded rolling file in the shipped
    /// appsettings.json), an optional compact-JSON file (<c>HostLogging:CompactJsonPath</c>) for log shippers, and the
    /// repeated-event limit (<see cref="HostLogging"/>).</summary>
    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        // Relative log paths are relative to the content root, not to the working directory (a service's is not its own).
        HostLogging.PrepareFileSinks(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddSerilog((services, logger) =>
            HostLogging.Configure(logger, builder.Configuration, TimeProvider.System, services.GetService<Status.RecentLogEvents>()).ReadFrom.Services(services));
    }

    /// <summary>The <c>--contentRoot</c> of the command line as a full path, or null. The settings object would hide it
    /// (its content root wins over the command line), so it is read here.</summary>
    private static string? ContentRootArgument(string[] args) =>
        new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.ContentRootKey] is { Length: > 0 } root ? Path.GetFullPath(root) : null;

    /// <summary>plugins.json: the <c>PluginsFile</c> setting if given, else <c>plugins.json</c> in the working
    /// directory (running from the repository), else in the content root.</summary>
    internal static string ResolvePluginsFile(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, contentRoot);
        }

        var inWorkingDirectory = Path.GetFullPath("plugins.json");
        return File.Exists(inWorkingDirectory) ? inWorkingDirectory : Path.Combine(contentRoot, "plugins.json");
    }
}

/// <summary>What the host decided at start, for the start-up log line and tests.</summary>
internal sealed record HostStartInfo(HostMode Mode, string? ModeWarning, string PluginsFile);

/// <summary>Logs how the host started (mode, configuration files) once.</summary>
internal sealed class StartupReport(HostStartInfo info, IHostEnvironment environment, Microsoft.Extensions.Logging.ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (info.ModeWarning is not null)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, "{Warning}", info.ModeWarning);
        }

        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "Middleware host started as {Mode} ({Environment}); content root {ContentRoot}; plugins file {PluginsFile}",
            info.Mode, environment.EnvironmentName, environment.ContentRootPath, info.PluginsFile);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
