using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.Versioning;
using Middleware.Client;

namespace Middleware.Pipe.Tests.Client;

/// <summary>Issue #18: the client refuses a server that does not run as the middleware's account (Linux,
/// SO_PEERCRED), so a socket put at the path by another account cannot pose as the middleware.</summary>
[SupportedOSPlatform("linux")]
public sealed class ServerIdentityTests
{
    [Fact]
    public async Task A_server_under_another_uid_than_the_expected_one_is_refused_with_a_clear_error()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var socket = NewSocketPath();
        await using var server = new NamedPipeServerStream(socket, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
        var accept = server.WaitForConnectionAsync();

        var error = await Assert.ThrowsAsync<MiddlewareConnectionException>(() => MiddlewareClient.ConnectAsync(
            new MiddlewareClientOptions { PipeName = socket, ExpectedServerUser = "4242", ConnectTimeout = TimeSpan.FromSeconds(20) }));

        Assert.Contains($"The process serving '{socket}' runs as uid {CurrentUid()}, not as the middleware's account (expected uid 4242", error.Message);
        await accept;
    }

    [Fact]
    public async Task The_expected_account_by_name_or_id_is_accepted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var expected in new[] { CurrentUid(), Environment.UserName })
        {
            var socket = NewSocketPath();
            await using var server = new NamedPipeServerStream(socket, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
            var accept = server.WaitForConnectionAsync();

            await using var client = await MiddlewareClient.ConnectAsync(new MiddlewareClientOptions { PipeName = socket, ExpectedServerUser = expected, ConnectTimeout = TimeSpan.FromSeconds(20) });

            Assert.True(client.IsConnected);
            await accept;
        }
    }

    [Fact]
    public async Task By_default_a_socket_another_account_made_under_tmp_is_refused()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || !OnPath("socat") || !OnPath("setpriv"))
        {
            Console.Error.WriteLine($"SKIPPED {nameof(By_default_a_socket_another_account_made_under_tmp_is_refused)}: needs root, socat and setpriv to listen as another account.");
            return;
        }

        // What an attacker can do without the new default: make a folder in world-writable /tmp and listen there.
        var folder = Path.Combine(Path.GetTempPath(), "mw-fake-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        var socket = Path.Combine(folder, "izly-middleware.sock");
        var nobody = Process.Start(new ProcessStartInfo("chown", ["65534:65534", folder]))!;
        await nobody.WaitForExitAsync();
        var fake = Process.Start(new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "socat", $"UNIX-LISTEN:{socket},fork", "EXEC:cat"]) { RedirectStandardError = true })!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!File.Exists(socket) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(socket), "the fake server did not start");
            var error = await Assert.ThrowsAsync<MiddlewareConnectionException>(() => MiddlewareClient.ConnectAsync(
                new MiddlewareClientOptions { PipeName = socket, ConnectTimeout = TimeSpan.FromSeconds(20) }));

            Assert.Contains("runs as uid 65534, not as the middleware's account", error.Message);
        }
        finally
        {
            fake.Kill(entireProcessTree: true);
            await fake.WaitForExitAsync();
        }
    }

    private static string NewSocketPath()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mw-identity-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "fake.sock");
    }

    private static string CurrentUid()
    {
        var uid = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]; // real, effective, saved, fs
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}
