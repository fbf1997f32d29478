using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Middleware.Host.Security;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Middleware.Host.Logging;

/// <summary>
/// The host's Serilog pipeline: the <c>Serilog</c> section's levels and enrichers, then <see cref="RepeatedEventLimiter"/>,
/// then the section's sinks (console, rolling files) and the optional compact-JSON file. Every file sink is bounded:
/// it rolls at <see cref="DefaultFileSizeLimitBytes"/> and keeps <see cref="DefaultRetainedFileCount"/> files unless the
/// section says otherwise, so the logs never take more than size × count on disk. The sinks are written by a background
/// thread (<c>HostLogging:WriteAsynchronously</c>, default true): no till's call waits for a console or file write.
/// </summary>
internal static class HostLogging
{
    /// <summary>Default size of one log file before it rolls: 10 MiB.</summary>
    public const long DefaultFileSizeLimitBytes = 10 * 1024 * 1024;

    /// <summary>Default number of log files kept per sink (the current one included): 20, so 200 MiB at most.</summary>
    public const int DefaultRetainedFileCount = 20;

    /// <summary>Default number of events of one template, source and level let through each second.</summary>
    public const int DefaultRepeatLimitPerSecond = 20;

    /// <summary>Default number of events waiting for the background writer before new ones are dropped: 10,000.</summary>
    public const int DefaultAsyncBufferSize = 10_000;

    private const string Section = "Serilog";
    private const string WriteTo = Section + ":WriteTo";

    /// <summary>Makes relative file-sink paths absolute (against <paramref name="contentRoot"/>, not the working
    /// directory), fills in the size bounds a file sink does not set, and creates the log folders 0700.</summary>
    public static void PrepareFileSinks(IConfiguration configuration, string contentRoot)
    {
        foreach (var sink in configuration.GetSection(WriteTo).GetChildren())
        {
            if (sink["Args:path"] is not { Length: > 0 } path)
            {
                continue;
            }

            var full = Path.GetFullPath(path, contentRoot);
            configuration[$"{sink.Path}:Args:path"] = full;
            SetIfMissing(configuration, sink, "fileSizeLimitBytes", DefaultFileSizeLimitBytes.ToString(CultureInfo.InvariantCulture));
            SetIfMissing(configuration, sink, "rollOnFileSizeLimit", "true");
            SetIfMissing(configuration, sink, "retainedFileCountLimit", DefaultRetainedFileCount.ToString(CultureInfo.InvariantCulture));
            PrivateFolder.Ensure(Path.GetDirectoryName(full)!);
        }

        if (configuration["HostLogging:CompactJsonPath"] is { Length: > 0 } jsonPath)
        {
            var full = Path.GetFullPath(jsonPath, contentRoot);
            configuration["HostLogging:CompactJsonPath"] = full;
            PrivateFolder.Ensure(Path.GetDirectoryName(full)!);
        }
    }

    /// <summary>The folders the file sinks write to (after <see cref="PrepareFileSinks"/>).</summary>
    public static IEnumerable<string> LogFolders(IConfiguration configuration)
    {
        var paths = configuration.GetSection(WriteTo).GetChildren().Select(s => s["Args:path"]).Append(configuration["HostLogging:CompactJsonPath"]);
        return paths.Where(p => !string.IsNullOrEmpty(p) && Path.IsPathRooted(p)).Select(p => Path.GetDirectoryName(p)!).Distinct(StringComparer.Ordinal);
    }

    /// <summary>Configures <paramref name="logger"/>: levels and enrichers of the section, the repeat limiter, and
    /// behind it the section's sinks and the compact-JSON file.</summary>
    /// <remarks><c>recentErrors</c>, when set, also gets the Warning-and-above events behind the limiter (the status page's ring).</remarks>
    public static LoggerConfiguration Configure(LoggerConfiguration logger, IConfiguration configuration, TimeProvider timeProvider, Serilog.Core.ILogEventSink? recentErrors = null)
    {
        var all = configuration.GetSection(Section).AsEnumerable().Where(p => p.Value is not null).ToList();
        // Two halves of the one section: everything but the sinks in front of the limiter, the sinks (and the assemblies
        // they come from, "Using") behind it.
        var levelsAndEnrichers = new ConfigurationBuilder()
            .AddInMemoryCollection(all.Where(p => !IsSinkKey(p.Key))).Build();
        var sinks = new ConfigurationBuilder()
            .AddInMemoryCollection(all.Where(p => IsSinkKey(p.Key) || p.Key.StartsWith(Section + ":Using", StringComparison.OrdinalIgnoreCase))).Build();

        // The sinks behind the limiter see every event the outer levels let through.
        var writers = new LoggerConfiguration().MinimumLevel.Verbose().ReadFrom.Configuration(sinks);
        if (configuration["HostLogging:CompactJsonPath"] is { Length: > 0 } jsonPath)
        {
            writers.WriteTo.File(new CompactJsonFormatter(), jsonPath, rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: configuration.GetValue("HostLogging:CompactJsonFileSizeLimitBytes", DefaultFileSizeLimitBytes),
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: configuration.GetValue("HostLogging:CompactJsonRetainedFileCountLimit", DefaultRetainedFileCount));
        }

        // The console and files are written by a background thread (a till's call never waits for a write), through
        // a bounded queue: when it is full an event is dropped rather than block the call. The status page's ring
        // stays synchronous: it is memory only.
        var writer = writers.CreateLogger();
        var behindLimiter = new LoggerConfiguration().MinimumLevel.Verbose();
        if (configuration.GetValue("HostLogging:WriteAsynchronously", true))
        {
            var bufferSize = configuration.GetValue("HostLogging:AsyncBufferSize", DefaultAsyncBufferSize);
            if (bufferSize is < 1 or > 1_000_000)
            {
                throw new OptionsValidationException("HostLogging", typeof(HostLogging),
                    [string.Create(CultureInfo.InvariantCulture, $"HostLogging:AsyncBufferSize: '{bufferSize}' must be from 1 to 1,000,000 events.")]);
            }

            behindLimiter.WriteTo.Sink(new BackgroundLogWriter(writer, bufferSize, timeProvider));
        }
        else
        {
            behindLimiter.WriteTo.Sink(writer); // as a sink, the logger is disposed with the pipeline (files closed)
        }

        if (recentErrors is not null)
        {
            behindLimiter.WriteTo.Sink(recentErrors, LogEventLevel.Warning);
        }

        var perSecond = configuration.GetValue("HostLogging:RepeatLimitPerSecond", DefaultRepeatLimitPerSecond);
        var limitFrom = configuration.GetValue("HostLogging:RepeatLimitMinimumLevel", LogEventLevel.Warning);
        return logger.ReadFrom.Configuration(levelsAndEnrichers)
            .Enrich.FromLogContext()
            .WriteTo.Sink(new RepeatedEventLimiter(behindLimiter.CreateLogger(), perSecond, limitFrom, timeProvider));
    }

    private static bool IsSinkKey(string key) => key.StartsWith(WriteTo, StringComparison.OrdinalIgnoreCase);

    private static void SetIfMissing(IConfiguration configuration, IConfigurationSection sink, string argument, string value)
    {
        if (string.IsNullOrEmpty(sink[$"Args:{argument}"]))
        {
            configuration[$"{sink.Path}:Args:{argument}"] = value;
        }
    }
}
