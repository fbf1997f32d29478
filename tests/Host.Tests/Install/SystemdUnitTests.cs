using System.Net.Sockets;
using System.Text;
using Middleware.Client;

namespace Middleware.Host.Tests.Install;

/// <summary>
/// deploy/linux/izly-middleware.service: systemd accepts it as written, and the host keeps its Type=notify promise
/// (READY=1 once tills can connect, STOPPING=1 on SIGTERM) to a NOTIFY_SOCKET this test binds and reads, as systemd does.
/// </summary>
public sealed class SystemdUnitTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    [Fact]
    public async Task Systemd_analyze_verify_reports_nothing_on_the_unit()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(SystemdAnalyze))
        {
            return; // systemd units exist on Linux only; the CI image has systemd-analyze
        }

        // verify checks that ExecStart is an executable file: the unit's /opt/izly-middleware becomes a temp install.
        var root = SaleHost.NewRoot();
        var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        File.Copy("/bin/true", Path.Combine(bin, "Middleware.Host"));
        File.SetUnixFileMode(Path.Combine(bin, "Middleware.Host"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var unit = await File.ReadAllTextAsync(Path.Combine(SaleHost.RepositoryRoot(), "deploy", "linux", "izly-middleware.service"));
        Assert.Contains("ExecStart=/opt/izly-middleware/bin/Middleware.Host ", unit, StringComparison.Ordinal);
        var unitFile = Path.Combine(root, "izly-middleware.service");
        await File.WriteAllTextAsync(unitFile, unit.Replace("/opt/izly-middleware", root, StringComparison.Ordinal));

        var (code, output) = await ChildProcess.RunAsync(SystemdAnalyze, ["verify", unitFile], root, TimeSpan.FromSeconds(60));

        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify exited {code}:\n{output}");
        // What the service promises, read back as systemd parsed it would be pointless here: verify ignores unknown
        // values with a message, so an empty output is the proof; the key settings are checked as text.
        foreach (var line in new[] { "Type=notify", "RuntimeDirectory=izly-middleware", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                     "NoNewPrivileges=yes", "Restart=on-failure", "User=izly-middleware" })
        {
            Assert.Contains("\n" + line + "\n", unit, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_host_notifies_ready_once_the_pipe_answers_and_stopping_on_sigterm()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // NOTIFY_SOCKET is systemd's
        }

        var root = SaleHost.NewRoot();
        var notifyPath = Path.Combine(root, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var pipeName = "mwn-" + Guid.NewGuid().ToString("N")[..10];
        var socketPath = Path.Combine(root, "run", pipeName + ".sock");
        string[] arguments =
        [
            "exec", Path.Combine(AppContext.BaseDirectory, "Middleware.Host.dll"),
            // systemd mode although this test, not systemd, is the parent (Host:Mode=systemd forces the lifetime).
            "--Host:Mode=systemd", $"--Pipe:PipeName={pipeName}", $"--Pipe:SocketDirectory={Path.Combine(root, "run")}",
            $"--PluginsFile={Path.Combine(SaleHost.RepositoryRoot(), "plugins.json")}", "--PluginHost:WatchForChanges=false",
            "--CardReaders:Enabled=false", $"--Serilog:WriteTo:1:Args:path={Path.Combine(root, "logs", "middleware-.log")}",
            $"--Journal:SigningKeyFile={Path.Combine(root, "journal.key")}", $"--Journal:ArchiveDirectory={Path.Combine(root, "archives")}",
            .. HostStartTests.SandboxArguments(root),
        ];
        using var host = ChildProcess.Start("dotnet", arguments, root, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = notifyPath });

        var ready = await ReceiveAsync(notify, "READY=1", host, TimeSpan.FromSeconds(120));
        Assert.Equal("READY=1", ready);
        // Ready means serving: the first connection attempt gets its hello answered, no retry.
        await using (var till = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
                     {
                         PipeName = socketPath, PointOfSale = SaleHost.Till.ToString(), ConnectTimeout = TimeSpan.FromSeconds(5),
                     }))
        {
            Assert.Equal("RU La Doua - caisse 14 (sandbox)", till.HelloInfo!.Label);
        }

        host.Terminate();

        Assert.Equal("STOPPING=1", await ReceiveAsync(notify, "STOPPING=1", host, TimeSpan.FromSeconds(30)));
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(45)), $"the host did not stop after SIGTERM:\n{host.Output}");
        Assert.Equal(0, host.Process.ExitCode);
    }

    /// <summary>The next datagram containing <paramref name="expected"/> (others, e.g. STATUS=, are skipped), or a
    /// failure naming what came and the host's output.</summary>
    private static async Task<string> ReceiveAsync(Socket notify, string expected, ChildProcess host, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var seen = new List<string>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var count = await notify.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, count).Trim();
                seen.Add(message);
                if (message.Split('\n').Contains(expected))
                {
                    return expected;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No {expected} within {timeout.TotalSeconds} s (got: [{string.Join(", ", seen)}]; host exited: {host.Process.HasExited}):\n{host.Output}");
            throw;
        }
    }
}
