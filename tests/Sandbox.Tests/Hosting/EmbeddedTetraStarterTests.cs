using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Hosting;

namespace Middleware.Sandbox.Tests.Hosting;

/// <summary>Without socat, or disabled, the starter gives no simulator and touches no folder; without socat it says so.</summary>
public sealed class EmbeddedTetraStarterTests
{
    [Fact]
    public async Task Enabled_without_socat_it_warns_and_starts_nothing()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N"), "tetra");
        var logger = new ListLogger();
        var asked = new List<string>();

        var tetra = await new EmbeddedTetraStarter(new EmbeddedTetraSettings { Enabled = true, Directory = folder }, logger,
            program => { asked.Add(program); return false; }).StartAsync(CancellationToken.None);

        Assert.Null(tetra);
        Assert.Equal(["socat"], asked);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("socat is not installed", warning.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Disabled_it_does_not_even_look_for_socat()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mw-sandbox-tests", Guid.NewGuid().ToString("N"), "tetra");
        var logger = new ListLogger();

        var tetra = await new EmbeddedTetraStarter(new EmbeddedTetraSettings { Directory = folder }, logger,
            _ => throw new InvalidOperationException("looked for a program")).StartAsync(CancellationToken.None);

        Assert.Null(tetra);
        Assert.Empty(logger.Entries);
        Assert.False(Directory.Exists(folder));
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
