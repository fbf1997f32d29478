using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Middleware.Client;
using Middleware.Pipe;
using Microsoft.Extensions.Options;

namespace Middleware.Host.Tests;

public sealed class HostStartTests
{
    [Fact]
    public async Task The_host_with_the_shipped_settings_serves_hello_on_the_pipe_and_writes_its_log_file()
    {
        var (root, pipeName) = NewShippedRoot();

        var builder = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console", .. SandboxArguments(root)], root);
        var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using var client = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions { PipeName = pipeName, PointOfSale = "5-1-9-8-14", ConnectTimeout = TimeSpan.FromSeconds(20) });

            Assert.Equal("RU La Doua - caisse 14 (sandbox)", client.HelloInfo!.Label);
            Assert.Contains("readers.list", client.HelloInfo.Capabilities);
            Assert.Equal(HostMode.Console, host.Services.GetRequiredService<HostStartInfo>().Mode);
            var options = host.Services.GetRequiredService<IOptions<PipeServerOptions>>().Value;
            Assert.Equal(1024 * 1024, options.MaxMessageBytes);
            Assert.Equal(TimeSpan.FromDays(7), options.IdempotencyRetention);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        var logs = Directory.GetFiles(Path.Combine(root, "logs"), "middleware-*.log");
        var text = await File.ReadAllTextAsync(Assert.Single(logs));
        Assert.Contains("Till pipe server listening on", text);
        Assert.Contains("said hello on connection", text);
    }

    /// <summary>Every store in the test's folder and the embedded sandbox on a free port, with the clients pointed at it.</summary>
    internal static string[] SandboxArguments(string root)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = $"http://127.0.0.1:{port}";
        return [
            // The embedded sandbox is refused in Production (the default environment): tests are Development.
            "--environment=Development",
            $"--Sandbox:Port={port}", $"--Sandbox:DatabasePath={Path.Combine(root, "sandbox.db")}",
            $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
            $"--CrousApis:Reference:DatabasePath={Path.Combine(root, "reference.db")}",
            $"--Tickets:DatabasePath={Path.Combine(root, "tickets.db")}",
            $"--Payments:DatabasePath={Path.Combine(root, "payments.db")}",
            $"--Pipe:IdempotencyDatabasePath={Path.Combine(root, "idempotency.db")}",
            $"--Journal:SigningKeyFile={Path.Combine(root, "journal.key")}", $"--Journal:ArchiveDirectory={Path.Combine(root, "archives")}",
            // The virtual readers are shared by every PC/SC test of the machine, which take PcscTestLock: a host that
            // does not hold it must leave them alone (CardHostHarness turns the watch back on, under the lock).
            "--CardReaders:Enabled=false",
            // The shipped point of sale's script site (crous-5/ru-9) is checked at start: the repository's scripts.
            $"--Scripting:ScriptsRoot={Path.Combine(SaleHost.RepositoryRoot(), "scripts")}",
        ];
    }

    [Fact]
    public async Task A_host_whose_payment_timeouts_do_not_nest_refuses_to_start_and_says_which_settings()
    {
        var (root, pipeName) = NewShippedRoot();
        // A payment budget shorter than the Izly client's own 20 s debit timeout.
        var builder = MiddlewareHost.CreateBuilder([$"--Pipe:PipeName={pipeName}", "--Host:Mode=console", "--Payments:DebitTimeout=00:00:15", .. SandboxArguments(root)], root);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("CrousApis:Izly:DebitTimeout (00:00:20) must be shorter than Payments:DebitTimeout (00:00:15)", error.Message);
    }

    [Fact]
    public void Command_line_beats_environment_which_beats_appsettings()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "appsettings.json"), """{"Pipe":{"PipeName":"from-file","MaxMessageBytes":2048,"AllowedUsers":["a"]}}""");
        var variable = "MIDDLEWARE_Pipe__MaxMessageBytes";
        Environment.SetEnvironmentVariable(variable, "4096");
        Environment.SetEnvironmentVariable("MIDDLEWARE_Pipe__AllowedUsers__0", "b");
        try
        {
            var builder = MiddlewareHost.CreateBuilder(["--Pipe:MaxMessageBytes=8192"], root);

            Assert.Equal("from-file", builder.Configuration["Pipe:PipeName"]);
            Assert.Equal("8192", builder.Configuration["Pipe:MaxMessageBytes"]);
            Assert.Equal("b", builder.Configuration["Pipe:AllowedUsers:0"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Environment.SetEnvironmentVariable("MIDDLEWARE_Pipe__AllowedUsers__0", null);
        }
    }

    [Fact]
    public void Plugins_file_is_the_setting_else_the_working_directory_else_the_content_root()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));

        Assert.Equal(Path.Combine(root, "custom.json"), MiddlewareHost.ResolvePluginsFile("custom.json", root));
        var resolved = MiddlewareHost.ResolvePluginsFile(null, root);
        Assert.Equal(File.Exists(Path.GetFullPath("plugins.json")) ? Path.GetFullPath("plugins.json") : Path.Combine(root, "plugins.json"), resolved);
    }

    // A fresh installation folder with the shipped settings, and a pipe name of its own.
    private static (string Root, string PipeName) NewShippedRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(root, "appsettings.json"));
        return (root, "mwh-" + Guid.NewGuid().ToString("N")[..10]);
    }
}
