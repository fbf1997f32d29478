using Microsoft.Extensions.Configuration;

namespace Middleware.Host.Tests;

public sealed class InstallationPathsTests
{
    [Fact]
    public void Relative_store_paths_and_defaults_resolve_under_the_folder_of_plugins_json_whatever_the_working_directory()
    {
        var installation = Path.Combine(Path.GetTempPath(), "mw-install-" + Guid.NewGuid().ToString("N"));
        var elsewhere = Path.Combine(Path.GetTempPath(), "elsewhere", "tickets.db");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipe:IdempotencyDatabasePath"] = "data/idempotency.db",
            ["Tickets:DatabasePath"] = elsewhere,
            ["Cards:SoftwareSam:KeyFile"] = "keys/sam.json",
        }).Build();

        InstallationPaths.Resolve(configuration, installation);

        Assert.Equal(Path.Combine(installation, "data", "idempotency.db"), configuration["Pipe:IdempotencyDatabasePath"]);
        Assert.Equal(elsewhere, configuration["Tickets:DatabasePath"]);
        Assert.Equal(Path.Combine(installation, "keys", "sam.json"), configuration["Cards:SoftwareSam:KeyFile"]);
        // Not configured: the option's own default, under the installation folder too.
        Assert.Equal(Path.Combine(installation, "data", "payments.db"), configuration["Payments:DatabasePath"]);
        // Sales unset: they live in the payment journal's file (SalesOptions).
        Assert.Null(configuration["Sales:DatabasePath"]);
        Assert.Equal(Path.Combine(installation, "data", "reference.db"), configuration["CrousApis:Reference:DatabasePath"]);
        // No key file and no secrets file stay unset: the SAM reports that it has no keys instead of opening a wrong path.
        Assert.Null(configuration["CrousApis:Secrets:File"]);
    }

    [Fact]
    public void The_host_started_from_another_working_directory_puts_its_stores_beside_plugins_json()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var plugins = Path.Combine(root, "plugins.json");
        File.WriteAllText(plugins, """{ "plugins": [] }""");

        var builder = MiddlewareHost.CreateBuilder([$"--PluginsFile={plugins}", "--Host:Mode=console"], AppContext.BaseDirectory);

        Assert.Equal(Path.Combine(root, "data", "tickets.db"), builder.Configuration["Tickets:DatabasePath"]);
        Assert.Equal(Path.Combine(root, "data", "sandbox.db"), builder.Configuration["Sandbox:DatabasePath"]);
        Assert.Equal(Path.Combine(root, "scripts"), builder.Configuration["Scripting:ScriptsRoot"]);
        // The sandbox's simulated Tetra links (Sandbox:Tetra, off by default) go to run/tetra of the installation too.
        Assert.Equal(Path.Combine(root, "run", "tetra"), builder.Configuration["Sandbox:Tetra:Directory"]);
        // The script compile cache is the installation's, never the shared temp folder.
        Assert.Equal(Path.Combine(root, "data", "script-cache"), builder.Configuration["Scripting:CacheDirectory"]);
    }
}
