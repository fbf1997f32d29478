using System.Diagnostics;
using Middleware.Client;
using Middleware.Sandbox.Seed;

namespace Middleware.Host.Tests.Configuration;

/// <summary>
/// The real host (a child process) with a configuration broken in several places at once: it must refuse to start within
/// a bounded time, before any store is opened or the till socket answers, and name every bad setting with its value in
/// one output.
/// </summary>
public sealed class BrokenConfigurationTests
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_host_configured_wrong_in_many_places_names_each_setting_and_value_exits_non_zero_and_never_serves()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The key file's mode and the Unix group are the Unix rules.
        }

        var root = Path.Combine(Path.GetTempPath(), "mw-host-tests", "config-" + Guid.NewGuid().ToString("N"));
        var run = Path.Combine(root, "run");
        Directory.CreateDirectory(root);
        var keyFile = Path.Combine(root, "sam-keys.json");
        await File.WriteAllTextAsync(keyFile, "{}");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // 0644
        var pipeName = "mwcfg-" + Guid.NewGuid().ToString("N")[..10];
        var socket = Path.Combine(run, pipeName + ".sock");

        using var host = ChildHost.Start(root, pipeName, new Uri("http://127.0.0.1:9"), crashPoint: null, pluginsFile: null,
            "--environment", "Development", $"--Pipe:SocketDirectory={run}",
            $"--Scripting:ScriptsRoot={Path.Combine(SaleHost.RepositoryRoot(), "scripts")}",
            "--PointsOfSale:0:Id=5-1-9-8-x",
            "--PointsOfSale:1:Id=5-1-9-8-15", "--PointsOfSale:1:Label=RU 9 caisse 15", "--PointsOfSale:1:TimeZone=Mars/Olympus", "--PointsOfSale:1:ScriptSite=crous-5/ru-404",
            "--PointsOfSale:2:Id=5-1-9-8-15", "--PointsOfSale:2:Label=RU 9 caisse 15 bis", "--PointsOfSale:2:ScriptSite=crous-5/ru-9",
            "--CrousApis:Vem:BaseUrl=vem/v1",
            $"--Cards:SoftwareSam:KeyFile={keyFile}",
            "--Pcsc:ReceiveBufferSize=12",
            "--Pipe:AllowedGroup=mw-no-such-group");

        // Until it exits, a till trying the socket must never get an answer.
        var deadline = Stopwatch.StartNew();
        while (!host.Process.HasExited && deadline.Elapsed < ExitLimit)
        {
            Assert.False(File.Exists(socket), $"the till socket was created:\n{host.Output}");
            await AssertNoAnswerAsync(socket, host);
            await Task.Delay(100);
        }

        Assert.True(host.Process.HasExited, $"the host still runs after {ExitLimit}:\n{host.Output}");
        host.Process.WaitForExit(); // the output's last lines
        var output = host.Output;
        Assert.Equal(78, host.Process.ExitCode);
        Assert.False(File.Exists(socket), output);
        Assert.False(File.Exists(Path.Combine(root, "tickets.db")), "a store was opened before the check:\n" + output);
        Assert.Contains("The middleware host refuses to start: 8 configuration errors.", output);
        string[] expected =
        [
            "  - PointsOfSale:0:Id: '5-1-9-8-x' is not a point of sale id",
            "  - PointsOfSale:2:Id: '5-1-9-8-15' is already the id of PointsOfSale:1",
            "  - PointsOfSale:1:TimeZone: 'Mars/Olympus' is not a time zone of this system",
            "  - PointsOfSale:1:ScriptSite: 'crous-5/ru-404' is not a folder of ",
            "  - CrousApis:Vem:BaseUrl: 'vem/v1' is not an absolute http or https URL",
            $"  - Cards:SoftwareSam:KeyFile: '{keyFile}' is readable or writable by group or others (mode 644)",
            "  - Pcsc:ReceiveBufferSize: '12' must be from 258 to 65538 bytes.",
            "  - Pipe:AllowedGroup: 'mw-no-such-group' is not a group of this system.",
        ];
        Assert.All(expected, line => Assert.Contains(line, output));
        // The child had a real installation key in its environment: no message may quote it.
        Assert.DoesNotContain(SandboxSeed.Create(DateTimeOffset.UtcNow).PointOfSale(SandboxSeed.MainTill).InstallationKey, output, StringComparison.Ordinal);
    }

    private static async Task AssertNoAnswerAsync(string socket, ChildHost host)
    {
        if (!File.Exists(socket))
        {
            return;
        }

        try
        {
            await using var till = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions { PipeName = socket, PointOfSale = "5-1-9-8-15", ConnectTimeout = TimeSpan.FromMilliseconds(500) });
            Assert.Fail($"a till got an answer from a host refused at start:\n{host.Output}");
        }
        catch (Exception ex) when (ex is MiddlewareConnectionException or TimeoutException)
        {
            // Not served: as it must be.
        }
    }
}
