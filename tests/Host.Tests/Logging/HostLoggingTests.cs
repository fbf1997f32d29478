using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Middleware.Host.Logging;
using Serilog;

namespace Middleware.Host.Tests.Logging;

/// <summary>Issue #18: the logs stay bounded, in lines per repeated error and in bytes on disk.</summary>
public sealed class HostLoggingTests
{
    [Fact]
    public void A_flood_of_100000_identical_errors_writes_the_limit_then_one_summary_line()
    {
        var folder = NewFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T03:00:00Z"));
        var configuration = FileSinkConfiguration(folder, fileSizeLimitBytes: 1024 * 1024, retained: 5);

        using (var logger = HostLogging.Configure(new LoggerConfiguration(), configuration, time).CreateLogger())
        {
            var source = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Middleware.Cards.Reader");
            for (var i = 0; i < 100_000; i++)
            {
                source.Error("Reader {Reader} failed: {Reason}", "Virtual PCD 00 00", "card mute");
            }

            // Another template from the same source is counted apart: it is not drowned by the flood.
            source.Error("Another error {Code}", 42);
            time.Advance(TimeSpan.FromSeconds(1)); // the sweep writes the summary of the finished second
        }

        var lines = ReadAll(folder);
        Assert.Equal(HostLogging.DefaultRepeatLimitPerSecond, lines.Count(l => l.Contains("failed: card mute", StringComparison.Ordinal)));
        var summary = Assert.Single(lines, l => l.Contains("more events like", StringComparison.Ordinal));
        Assert.Contains($"{100_000 - HostLogging.DefaultRepeatLimitPerSecond} more events like \"Reader {{Reader}} failed: {{Reason}}\"", summary);
        Assert.Contains("Middleware.Cards.Reader", summary);
        Assert.Single(lines, l => l.Contains("Another error 42", StringComparison.Ordinal));
        Assert.Equal(HostLogging.DefaultRepeatLimitPerSecond + 2, lines.Count);
        Assert.True(TotalBytes(folder) < 10_000, $"{TotalBytes(folder)} bytes for a flood");
    }

    [Fact]
    public void Each_second_lets_the_limit_through_again_and_summarises_the_one_before()
    {
        var folder = NewFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T03:00:00Z"));
        var configuration = FileSinkConfiguration(folder, fileSizeLimitBytes: 1024 * 1024, retained: 5);
        configuration["HostLogging:RepeatLimitPerSecond"] = "3";

        using (var logger = HostLogging.Configure(new LoggerConfiguration(), configuration, time).CreateLogger())
        {
            for (var second = 0; second < 4; second++)
            {
                for (var i = 0; i < 1000; i++)
                {
                    logger.Warning("Izly slow: {Ms} ms", i);
                }

                time.Advance(TimeSpan.FromMilliseconds(1000));
            }

            // Under the limited levels nothing is held back.
            for (var i = 0; i < 50; i++)
            {
                logger.Information("Sale {Id} paid", i);
            }
        }

        var lines = ReadAll(folder);
        Assert.Equal(4 * 3, lines.Count(l => l.Contains("Izly slow", StringComparison.Ordinal) && !l.Contains("more events", StringComparison.Ordinal)));
        Assert.Equal(4, lines.Count(l => l.Contains("997 more events like", StringComparison.Ordinal)));
        Assert.Equal(50, lines.Count(l => l.Contains("paid", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_files_never_exceed_the_configured_size_times_count()
    {
        var folder = NewFolder();
        const long limit = 16 * 1024;
        const int retained = 3;
        var configuration = FileSinkConfiguration(folder, limit, retained);
        var payload = new string('x', 300);
        long written = 0;
        long largestTotal = 0;

        using (var logger = HostLogging.Configure(new LoggerConfiguration(), configuration, TimeProvider.System).CreateLogger())
        {
            for (var i = 0; i < 5_000; i++)
            {
                logger.Information("Line {Index} {Payload}", i, payload);
                written += payload.Length;
                if (i % 250 == 0)
                {
                    largestTotal = Math.Max(largestTotal, TotalBytes(folder));
                }
            }
        }

        largestTotal = Math.Max(largestTotal, TotalBytes(folder));
        var files = Directory.GetFiles(folder);
        Assert.True(written > 50 * limit * retained / 10, "the test must write far more than the bound");
        Assert.True(files.Length <= retained, $"{files.Length} files kept: {string.Join(", ", files.Select(Path.GetFileName))}");
        Assert.True(files.Length > 1, "the sink must have rolled on size");
        // Serilog checks the size before each write, so a file may pass its limit by its last line.
        var line = payload.Length + 100;
        Assert.True(largestTotal <= (limit + line) * retained, $"{largestTotal} bytes on disk, bound {(limit + line) * retained}");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= limit + line, $"{f} is {new FileInfo(f).Length} bytes"));
    }

    [Fact]
    public void A_file_sink_without_bounds_gets_the_documented_defaults_and_a_private_folder()
    {
        var folder = NewFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = "logs/mw-.log",
        }).Build();

        HostLogging.PrepareFileSinks(configuration, folder);

        Assert.Equal(Path.Combine(folder, "logs", "mw-.log"), configuration["Serilog:WriteTo:0:Args:path"]);
        Assert.Equal("10485760", configuration["Serilog:WriteTo:0:Args:fileSizeLimitBytes"]);
        Assert.Equal("true", configuration["Serilog:WriteTo:0:Args:rollOnFileSizeLimit"]);
        Assert.Equal("20", configuration["Serilog:WriteTo:0:Args:retainedFileCountLimit"]);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(folder, "logs")));
        }
    }

    [Fact]
    public void The_shipped_settings_bound_the_log_file()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();
        var file = shipped.GetSection("Serilog:WriteTo").GetChildren().Single(s => s["Name"] == "File");

        Assert.Equal("10485760", file["Args:fileSizeLimitBytes"]);
        Assert.Equal("true", file["Args:rollOnFileSizeLimit"], ignoreCase: true);
        Assert.Equal("20", file["Args:retainedFileCountLimit"]);
    }

    [Fact]
    public void Events_written_in_the_background_all_reach_the_file_in_order_once_the_logger_is_disposed()
    {
        var folder = NewFolder();
        var configuration = FileSinkConfiguration(folder, fileSizeLimitBytes: 10 * 1024 * 1024, retained: 5);
        Assert.True(configuration.GetValue("HostLogging:WriteAsynchronously", true)); // the default

        using (var logger = HostLogging.Configure(new LoggerConfiguration(), configuration, TimeProvider.System).CreateLogger())
        {
            for (var i = 0; i < 5_000; i++)
            {
                logger.Information("Sale {Number} committed", i); // distinct values: never limited
            }
        }

        var numbers = ReadAll(folder).Select(l => int.Parse(l.Split("Sale ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 5_000), numbers);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2000000")]
    public void An_async_buffer_size_out_of_range_is_refused_with_its_setting_named(string size)
    {
        var configuration = FileSinkConfiguration(NewFolder(), fileSizeLimitBytes: 1024 * 1024, retained: 5);
        configuration["HostLogging:AsyncBufferSize"] = size;

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => HostLogging.Configure(new LoggerConfiguration(), configuration, TimeProvider.System));
        Assert.Contains($"HostLogging:AsyncBufferSize: '{size}' must be from 1 to 1,000,000 events.", refused.Failures);
    }

    [Fact]
    public void The_shipped_settings_write_the_logs_in_the_background()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();

        Assert.Equal("true", shipped["HostLogging:WriteAsynchronously"], ignoreCase: true);
        Assert.Equal(HostLogging.DefaultAsyncBufferSize.ToString(System.Globalization.CultureInfo.InvariantCulture), shipped["HostLogging:AsyncBufferSize"]);
    }

    private static IConfigurationRoot FileSinkConfiguration(string folder, long fileSizeLimitBytes, int retained) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:Using:0"] = "Serilog.Sinks.File",
            ["Serilog:MinimumLevel:Default"] = "Information",
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = Path.Combine(folder, "mw-.log"),
            ["Serilog:WriteTo:0:Args:fileSizeLimitBytes"] = fileSizeLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serilog:WriteTo:0:Args:rollOnFileSizeLimit"] = "true",
            ["Serilog:WriteTo:0:Args:retainedFileCountLimit"] = retained.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serilog:WriteTo:0:Args:outputTemplate"] = "{Timestamp:HH:mm:ss} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
        }).Build();

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mw-log-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static List<string> ReadAll(string folder) =>
        Directory.GetFiles(folder).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).Where(l => l.Length > 0).ToList();

    private static long TotalBytes(string folder) => Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
}
