namespace Middleware.Cli.Tests;

/// <summary><c>mwctl plugins reload|disable|enable</c> against the real pipe server and plugin host (the test runs as the
/// host's own account, an operator).</summary>
public sealed class PluginControlCommandTests : IAsyncLifetime
{
    private MiddlewareUnderTest mw = null!;

    public async Task InitializeAsync() => mw = await MiddlewareUnderTest.StartAsync();

    public async Task DisposeAsync() => await mw.DisposeAsync();

    [Fact]
    public async Task Disable_answers_the_plugins_new_state()
    {
        var run = await mw.RunAsync("plugins", "disable", "reader.calypso");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("reader.calypso", run.Json().GetProperty("id").GetString());
        Assert.Equal("Disabled", run.Json().GetProperty("state").GetString());
    }

    [Fact]
    public async Task Enable_of_a_plugin_disabled_in_plugins_json_is_refused_with_the_reason_and_the_host_serves_on()
    {
        var run = await mw.RunAsync("plugins", "enable", "reader.calypso");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("plugins.json", run.ToString(), StringComparison.Ordinal);
        var status = await mw.RunAsync("plugins");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal("Disabled", Assert.Single(status.Json().EnumerateArray()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Reload_of_an_unknown_plugin_is_a_middleware_error()
    {
        var run = await mw.RunAsync("plugins", "reload", "no.such.plugin");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no.such.plugin", run.ToString(), StringComparison.Ordinal);
    }
}
