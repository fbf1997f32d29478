using Middleware.Client;

namespace Middleware.Host.Tests.Install;

/// <summary>
/// The Production environment (the host's default, no DOTNET_ENVIRONMENT) refuses the embedded sandbox unless
/// Sandbox:AllowInProduction, and then warns: the real host executable, as a site would start it.
/// </summary>
public sealed class ProductionSettingsTests
{
    [Fact]
    public async Task The_host_refuses_to_start_with_the_sandbox_in_production()
    {
        var root = SaleHost.NewRoot();
        var (arguments, socketPath) = ProductionArguments(root, "--Sandbox:Enabled=true");

        var (code, output) = await ChildProcess.RunAsync("dotnet", arguments, root, TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, code);
        Assert.Contains("Sandbox:Enabled", output, StringComparison.Ordinal);
        Assert.Contains("Sandbox:AllowInProduction", output, StringComparison.Ordinal);
        Assert.Contains("Production", output, StringComparison.Ordinal);
        Assert.False(File.Exists(socketPath), "the refused host must never have opened its till pipe");
        Assert.False(File.Exists(Path.Combine(root, "sandbox.db")), "the refused host must never have started the sandbox");
    }

    [Fact]
    public async Task The_sandbox_allowed_in_production_runs_and_logs_a_warning()
    {
        var root = SaleHost.NewRoot();
        var (arguments, socketPath) = ProductionArguments(root, "--Sandbox:Enabled=true", "--Sandbox:AllowInProduction=true");
        using var host = ChildProcess.Start("dotnet", arguments, root);

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            Assert.False(host.Process.HasExited, $"the host exited with {(host.Process.HasExited ? host.Process.ExitCode : 0)}:\n{host.Output}");
            try
            {
                await using var till = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
                {
                    PipeName = socketPath, PointOfSale = SaleHost.Till.ToString(), ConnectTimeout = TimeSpan.FromSeconds(5),
                });
                break;
            }
            catch (Exception e) when (e is MiddlewareConnectionException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }

        var warning = host.Output.Split('\n').FirstOrDefault(l => l.Contains("SANDBOX IN PRODUCTION", StringComparison.Ordinal));
        Assert.True(warning is not null, $"no sandbox warning in the output:\n{host.Output}");
        Assert.Contains("WRN", warning, StringComparison.Ordinal);
        Assert.Contains("Sandbox:AllowInProduction", warning, StringComparison.Ordinal);
        Assert.Contains("started as Console (Production)", host.Output, StringComparison.Ordinal);
        host.Terminate();
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(45)), $"the host did not stop:\n{host.Output}");
    }

    /// <summary>The built host with every store in <paramref name="root"/>, in the default (Production) environment.</summary>
    private static (string[] Arguments, string SocketPath) ProductionArguments(string root, params string[] more)
    {
        var pipeName = "mwp-" + Guid.NewGuid().ToString("N")[..10];
        string[] arguments =
        [
            "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll"), "--Host:Mode=console",
            $"--Pipe:PipeName={pipeName}", $"--Pipe:SocketDirectory={Path.Combine(root, "run")}",
            $"--PluginsFile={Path.Combine(SaleHost.RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            "--CardReaders:Enabled=false", $"--Serilog:WriteTo:1:Args:path={Path.Combine(root, "logs", "middleware-.log")}",
            $"--Journal:SigningKeyFile={Path.Combine(root, "journal.key")}", $"--Journal:ArchiveDirectory={Path.Combine(root, "archives")}",
            // The stores and ports of the tests, without their Development environment.
            .. HostStartTests.SandboxArguments(root).Where(a => !a.StartsWith("--environment", StringComparison.Ordinal)),
            .. more,
        ];
        return (arguments, Path.Combine(root, "run", pipeName + ".sock"));
    }
}
