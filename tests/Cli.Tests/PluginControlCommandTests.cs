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

/// <summary><c>mwctl plugins disable|enable|reload</c> on a plugin that runs: the real test plugin <c>test.echo</c>.</summary>
public sealed class PluginControlOfARunningPluginTests : IAsyncLifetime
{
    private MiddlewareUnderTest mw = null!;

    public async Task InitializeAsync() => mw = await MiddlewareUnderTest.StartAsync(withEchoPlugin: true);

    public async Task DisposeAsync() => await mw.DisposeAsync();

    [Fact]
    public async Task Disable_takes_it_out_enable_puts_it_back_and_reload_loads_it_again()
    {
        Assert.Equal("Active", await StateAsync());

        var disable = await mw.RunAsync("plugins", "disable", "test.echo");
        Assert.True(disable.ExitCode == 0, disable.ToString());
        Assert.Equal("Disabled", disable.Json().GetProperty("state").GetString());
        Assert.Equal("Disabled", await StateAsync());

        var enable = await mw.RunAsync("plugins", "enable", "test.echo");
        Assert.True(enable.ExitCode == 0, enable.ToString());
        Assert.Equal("Active", await WaitForStateAsync("Active"));

        var reload = await mw.RunAsync("plugins", "reload", "test.echo");
        Assert.True(reload.ExitCode == 0, reload.ToString());
        Assert.Equal("test.echo", reload.Json().GetProperty("id").GetString());
        Assert.Equal("Active", await WaitForStateAsync("Active"));
    }

    private async Task<string?> StateAsync()
    {
        var status = await mw.RunAsync("plugins");
        Assert.True(status.ExitCode == 0, status.ToString());
        // A replaced version stays listed as Superseded until its context unloads: the live one is the other.
        var echo = status.Json().EnumerateArray()
            .Where(p => p.GetProperty("id").GetString() == "test.echo" && p.GetProperty("state").GetString() != "Superseded").ToList();
        Assert.True(echo.Count == 1, status.Output);
        return echo[0].GetProperty("state").GetString();
    }

    private async Task<string?> WaitForStateAsync(string state)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var now = await StateAsync();
            if (now == state || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return now;
            }

            await Task.Delay(50);
        }
    }
}
