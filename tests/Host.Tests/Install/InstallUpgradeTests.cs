using System.Diagnostics;
using Middleware.Client;
using Middleware.Sandbox;
using Middleware.Sandbox.Seed;
using Xunit.Abstractions;

namespace Middleware.Host.Tests.Install;

/// <summary>
/// A site install from the publish output, as README "Install on a site" tells: deploy/publish.sh, then
/// deploy/linux/install.sh --no-systemd into a temp prefix, the installed host started in console mode in the Production
/// environment with the site's settings in appsettings.Production.json, a sale, SIGTERM, an upgrade by install.sh with a
/// newer build, a restart: the first sale's ticket is still there and the previous binaries are kept for a rollback.
/// The publish is framework-dependent here (a self-contained one adds the runtime, ~100 MB, and minutes); Izly and VEM are
/// a sandbox in this test process, outside the host as on a site.
/// </summary>
public sealed class InstallUpgradeTests(ITestOutputHelper output)
{
    // publish.sh takes about a minute on an idle machine; on this project's shared 2-core machine it took 3 to 10 min.
    private static readonly TimeSpan PublishBudget = TimeSpan.FromMinutes(15);

    [Fact]
    [Trait("Category", "Install")]
    public async Task A_published_build_installs_sells_stops_upgrades_and_keeps_its_tickets()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // install.sh is the Linux install; the Windows script is untested (README)
        }

        var repo = SaleHost.RepositoryRoot();
        var root = SaleHost.NewRoot();
        var layout = Path.Combine(root, "layout");
        var prefix = Path.Combine(root, "opt", "izly-middleware");
        var clock = Stopwatch.StartNew();

        // MW_INSTALL_LAYOUT: a publish.sh output of this build to reuse (a quick rerun); by default this test publishes.
        if (Environment.GetEnvironmentVariable("MW_INSTALL_LAYOUT") is { Length: > 0 } given)
        {
            Assert.Equal(0, (await ChildProcess.RunAsync("cp", ["-a", given, layout], root, TimeSpan.FromSeconds(120))).Code);
            await File.WriteAllTextAsync(Path.Combine(layout, "VERSION"), "install-test-1\n");
        }
        else
        {
            var publish = await ChildProcess.RunAsync("bash", [Path.Combine(repo, "deploy", "publish.sh"), "--framework-dependent", "--out", layout, "--version", "install-test-1"],
                repo, PublishBudget);
            Assert.True(publish.Code == 0, $"publish.sh failed:\n{publish.Output}");
            output.WriteLine(publish.Output);
        }

        var published = clock.Elapsed;
        output.WriteLine($"layout ready (publish.sh --framework-dependent, or MW_INSTALL_LAYOUT copied): {published.TotalSeconds:F1} s");
        foreach (var expected in new[] { "bin/Middleware.Host", "bin/mwctl", "bin/izly-vcard", "plugins/Desfire/bin/Middleware.Plugins.Desfire.dll",
                     "plugins/QrChannel/bin/Middleware.Plugins.QrChannel.dll", "scripts/sites/crous-5/ru-9", "plugins.json", "appsettings.json",
                     "appsettings.Production.json", "VERSION", "data", "logs" })
        {
            Assert.True(Path.Exists(Path.Combine(layout, expected)), $"the publish output has no {expected}");
        }

        Assert.False(File.Exists(Path.Combine(layout, "bin", "appsettings.json")), "the settings belong beside plugins.json, not in bin/");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(layout, "data")));

        // First install.
        var install = await InstallAsync(repo, root, prefix, layout);
        Assert.True(install.Code == 0, $"install.sh failed:\n{install.Output}");
        output.WriteLine($"install.sh (first install): done at {clock.Elapsed.TotalSeconds:F1} s\n{install.Output}");
        Assert.Equal("install-test-1", (await File.ReadAllTextAsync(Path.Combine(prefix, "VERSION"))).Trim());
        Assert.False(Directory.Exists(Path.Combine(prefix, "bin.previous")));

        // The site's settings, as an operator writes them after the first install: Crous URLs, the till pipe.
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DatabasePath = Path.Combine(root, "sandbox.db") });
        var url = sandbox.BaseUrl.ToString().TrimEnd('/');
        var siteSettings = $$"""
            {
              "Sandbox": { "Enabled": false },
              "CrousApis": { "Vem": { "BaseUrl": "{{url}}", "Environment": "PPD" }, "Izly": { "BaseUrl": "{{url}}" } },
              "Pipe": { "PipeName": "till", "SocketDirectory": "{{Path.Combine(root, "run")}}" },
              "CardReaders": { "Enabled": false },
              "PluginHost": { "WatchForChanges": false }
            }
            """;
        await File.WriteAllTextAsync(Path.Combine(prefix, "appsettings.Production.json"), siteSettings);
        var socketPath = Path.Combine(root, "run", "till.sock");

        string ticketId;
        using (var host = StartInstalledHost(prefix, root))
        {
            await using var till = await ConnectAsync(host, socketPath);
            Assert.True((await till.CallAsync("reference.sync")).GetProperty("succeeded").GetBoolean());
            var saleId = await TillSteps.OpenMealAsync(till);
            await TillSteps.IdentifyQrAsync(till, saleId, sandbox.IssueQrCode("1000001"));
            var paid = await till.CallMutatingAsync("sale.pay", new { saleId, method = "izly" });
            Assert.Equal("Committed", paid.GetProperty("state").GetString());
            ticketId = paid.GetProperty("ticket").GetProperty("idTicketEntete").GetString()!;
            await TillSteps.WaitForAsync(() => TicketStateAsync(till, ticketId), s => s == "Sent", TimeSpan.FromSeconds(60), "the ticket sent to VEM");
            output.WriteLine($"first start, sale, ticket Sent: done at {clock.Elapsed.TotalSeconds:F1} s");
            await StopAsync(host);
            output.WriteLine($"SIGTERM, exit 0: done at {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Contains("(Production)", host.Output, StringComparison.Ordinal);
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(prefix, "logs"), "middleware-*.log"));

        // The newer build: the same publish with another VERSION and a file of its own in bin/ (publishing twice takes minutes).
        var newer = Path.Combine(root, "layout-2");
        Assert.Equal(0, (await ChildProcess.RunAsync("cp", ["-a", layout, newer], root, TimeSpan.FromSeconds(120))).Code);
        await File.WriteAllTextAsync(Path.Combine(newer, "VERSION"), "install-test-2\n");
        await File.WriteAllTextAsync(Path.Combine(newer, "bin", "build-2.txt"), "the newer build\n");
        var upgrade = await InstallAsync(repo, root, prefix, newer);
        Assert.True(upgrade.Code == 0, $"install.sh (upgrade) failed:\n{upgrade.Output}");
        output.WriteLine($"install.sh (upgrade): done at {clock.Elapsed.TotalSeconds:F1} s\n{upgrade.Output}");
        Assert.Equal("install-test-2", (await File.ReadAllTextAsync(Path.Combine(prefix, "VERSION"))).Trim());
        Assert.True(File.Exists(Path.Combine(prefix, "bin", "build-2.txt")));
        Assert.True(File.Exists(Path.Combine(prefix, "bin.previous", "Middleware.Host")), "the previous binaries are kept for a rollback");
        Assert.False(File.Exists(Path.Combine(prefix, "bin.previous", "build-2.txt")));
        Assert.Equal(siteSettings, await File.ReadAllTextAsync(Path.Combine(prefix, "appsettings.Production.json")));
        Assert.True(File.Exists(Path.Combine(prefix, "appsettings.Production.json.new")), "the shipped settings are put beside the site's to compare");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(prefix, "data"), "tickets.db"));

        using (var host = StartInstalledHost(prefix, root))
        {
            await using var till = await ConnectAsync(host, socketPath);
            var status = await till.CallAsync("tickets.status", new { idTicketEntete = ticketId });
            Assert.Equal("Sent", status.GetProperty("state").GetString());
            var listed = await till.CallAsync("outbox.list", new { });
            Assert.Contains(listed.EnumerateArray(), t => t.GetProperty("idTicketEntete").GetString() == ticketId);
            await StopAsync(host);
            output.WriteLine($"second start, ticket {ticketId} still Sent, stop: done at {clock.Elapsed.TotalSeconds:F1} s");
        }

        // VEM got the ticket once, across the upgrade.
        Assert.Single(await sandbox.GetTicketsAsync());
        Assert.True(clock.Elapsed < PublishBudget + TimeSpan.FromMinutes(3),
            $"install test took {clock.Elapsed.TotalSeconds:F0} s (publish {published.TotalSeconds:F0} s)");
    }

    private static Task<(int Code, string Output)> InstallAsync(string repo, string root, string prefix, string layout) =>
        ChildProcess.RunAsync("bash", [Path.Combine(repo, "deploy", "linux", "install.sh"), "--prefix", prefix, "--no-systemd", layout], root, TimeSpan.FromSeconds(120));

    /// <summary>The installed apphost in console mode, Production (no DOTNET_ENVIRONMENT), from another working directory:
    /// <c>--contentRoot</c> alone finds the settings, plugins.json, data/ and logs/.</summary>
    private static ChildProcess StartInstalledHost(string prefix, string root)
    {
        var key = SandboxSeed.Create(DateTimeOffset.UtcNow).PointOfSale(SandboxSeed.MainTill).InstallationKey;
        return ChildProcess.Start(Path.Combine(prefix, "bin", "Middleware.Host"), [$"--contentRoot={prefix}", "--Host:Mode=console"], root,
            new Dictionary<string, string?> { ["MW_VEM_INSTALLATION_KEY_5_1_9_8_14"] = key });
    }

    private static async Task<MiddlewareClient> ConnectAsync(ChildProcess host, string socketPath)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            Assert.False(host.Process.HasExited, $"the installed host exited:\n{host.Output}");
            try
            {
                return await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
                {
                    PipeName = socketPath, PointOfSale = SaleHost.Till.ToString(), ConnectTimeout = TimeSpan.FromSeconds(5),
                    CallTimeout = TimeSpan.FromSeconds(60), MutatingAttempts = 1,
                });
            }
            catch (Exception e) when (e is MiddlewareConnectionException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    private static async Task<string?> TicketStateAsync(MiddlewareClient till, string ticketId) =>
        (await till.CallAsync("tickets.status", new { idTicketEntete = ticketId })).GetProperty("state").GetString();

    /// <summary>SIGTERM, as systemctl stop: a clean stop, exit code 0.</summary>
    private static async Task StopAsync(ChildProcess host)
    {
        host.Terminate();
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(45)), $"the installed host did not stop on SIGTERM:\n{host.Output}");
        Assert.True(host.Process.ExitCode == 0, $"the installed host exited {host.Process.ExitCode}:\n{host.Output}");
    }
}
