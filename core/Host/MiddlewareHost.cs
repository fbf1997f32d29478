using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting.WindowsServices;
using Serilog;
using Serilog.Formatting.Compact;

namespace Middleware.Host;

/// <summary>Builds the host: configuration sources, Serilog, service mode and the features of <see cref="Composition"/>.</summary>
internal static class MiddlewareHost
{
    /// <summary>Prefix of the environment variables read as configuration (<c>MIDDLEWARE_Pipe__PipeName=...</c>).</summary>
    public const string EnvironmentPrefix = "MIDDLEWARE_";

    /// <summary>The Windows service name.</summary>
    public const string ServiceName = "IzlyMiddleware";

    /// <param name="args">Command line; <c>--Section:Key=value</c> overrides any setting.</param>
    /// <param name="contentRoot">Where appsettings.json is; default: the executable's folder (a service's working
    /// directory is not its own).</param>
    public static HostApplicationBuilder CreateBuilder(string[] args, string? contentRoot = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = contentRoot ?? AppContext.BaseDirectory,
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
            case HostMode.Systemd:
                builder.Services.AddSystemd();
                break;
        }

        ConfigureLogging(builder);
        // The folder of plugins.json is the installation folder: the plugin host, the scripts and every relative store or
        // key-file path resolve from there.
        var installation = Path.GetDirectoryName(pluginsFile)!;
        builder.Configuration["PluginHost:PluginsFile"] = pluginsFile;
        var scriptsRoot = builder.Configuration["Scripting:ScriptsRoot"] ?? "scripts";
        builder.Configuration["Scripting:ScriptsRoot"] = Path.IsPathRooted(scriptsRoot) ? scriptsRoot : Path.Combine(installation, scriptsRoot);
        InstallationPaths.Resolve(builder.Configuration, installation);
        builder.Services.AddMiddlewareFeatures(builder.Configuration);
        builder.Services.AddSingleton(new HostStartInfo(mode, warning, pluginsFile));
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }

    /// <summary>Serilog from the <c>Serilog</c> section (console and rolling file in the shipped appsettings.json), plus
    /// an optional compact-JSON file (<c>HostLogging:CompactJsonPath</c>) for log shippers.</summary>
    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        // Relative log paths are relative to the content root, not to the working directory (a service's is not its own).
        foreach (var sink in builder.Configuration.GetSection("Serilog:WriteTo").GetChildren())
        {
            if (sink["Args:path"] is { Length: > 0 } path && !Path.IsPathRooted(path))
            {
                builder.Configuration[$"{sink.Path}:Args:path"] = Path.GetFullPath(path, contentRoot);
            }
        }

        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (builder.Configuration["HostLogging:CompactJsonPath"] is { Length: > 0 } jsonPath)
            {
                logger.WriteTo.File(new CompactJsonFormatter(), Path.GetFullPath(jsonPath, contentRoot), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 31);
            }
        });
    }

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
