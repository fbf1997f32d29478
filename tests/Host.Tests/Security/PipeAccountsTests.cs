using System.Diagnostics;
using System.Runtime.Versioning;
using Xunit.Abstractions;

namespace Middleware.Host.Tests.Security;

/// <summary>
/// Issue #18, with real accounts: the host runs as its own account (not root: root ignores file modes), a till account
/// listed in Pipe:AllowedUsers connects and calls ping through mwctl, another account gets EACCES from the kernel.
/// Either through Pipe:AllowedGroup (socket 0660, folder 0750) or through POSIX ACL entries. Needs root, useradd and
/// setpriv; says so and does nothing otherwise. The accounts are removed afterwards.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PipeAccountsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Only_the_allowed_till_account_reaches_the_socket_of_a_host_running_as_its_own_account(bool throughGroup)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || !OnPath("useradd") || !OnPath("groupadd") || !OnPath("setpriv"))
        {
            var message = $"SKIPPED {nameof(Only_the_allowed_till_account_reaches_the_socket_of_a_host_running_as_its_own_account)}: needs root, useradd, groupadd and setpriv.";
            output.WriteLine(message);
            await Console.Error.WriteLineAsync(message);
            return;
        }

        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (hostUser, till, other, tills) = ($"mwhost1{suffix}", $"mwtill1{suffix}", $"mwother1{suffix}", $"mwtills{suffix}");
        var created = new List<string>();
        var parent = Path.Combine(Path.GetTempPath(), "mw-account-tests");
        try
        {
            await RunAsync("groupadd", tills);
            foreach (var (user, groups) in new[] { (hostUser, tills), (till, tills), (other, (string?)null) })
            {
                await RunAsync("useradd", ["-M", "-U", "-s", "/usr/sbin/nologin", .. groups is null ? Array.Empty<string>() : ["-G", groups], user]);
                created.Add(user);
            }

            // An installation folder of the host's account, reachable (x) by the till accounts on the way to run/.
            Directory.CreateDirectory(parent);
            File.SetUnixFileMode(parent, (UnixFileMode)0x1ED); // 0755
            var installation = new InstallationFolder(parent);
            File.SetUnixFileMode(installation.Root, (UnixFileMode)0x1ED);
            await RunAsync("chown", "-R", $"{hostUser}:{hostUser}", installation.Root);
            // The plugin shadow copies default to data/plugin-shadow beside plugins.json, which root owns here.
            string[] access = throughGroup ? [$"--Pipe:AllowedUsers:0={till}", $"--Pipe:AllowedGroup={tills}"] : [$"--Pipe:AllowedUsers:0={till}"];
            access = [.. access, $"--PluginHost:ShadowCopyDirectory={Path.Combine(installation.Root, "shadow")}"];

            await using var host = HostProcess.Start(installation.Arguments(access), umask: "022", user: hostUser, home: installation.Root);
            await host.WaitForOutputAsync("Till pipe server listening on", TimeSpan.FromSeconds(120));
            output.WriteLine(await LsAsync(installation.SocketDirectory, installation.SocketPath));

            var allowed = await MwctlAsync(till, installation.SocketPath);
            Assert.True(allowed.Code == 0, $"the allowed till account could not call ping (exit {allowed.Code}): {allowed.Output}\nhost:\n{host.Output}");
            Assert.Contains("null", allowed.Output);

            var refused = await MwctlAsync(other, installation.SocketPath);
            Assert.True(refused.Code == 3, $"another account must not connect (exit {refused.Code}): {refused.Output}");
            Assert.Contains("denied", refused.Output, StringComparison.OrdinalIgnoreCase);
            output.WriteLine($"{till}: exit {allowed.Code} {allowed.Output.Trim()}\n{other}: exit {refused.Code} {refused.Output.Trim()}");
        }
        finally
        {
            foreach (var user in created)
            {
                await RunAsync(ignoreFailure: true, "userdel", user);
                await RunAsync(ignoreFailure: true, "groupdel", user);
            }

            await RunAsync(ignoreFailure: true, "groupdel", tills);
        }
    }

    private static async Task<(int Code, string Output)> MwctlAsync(string user, string socket)
    {
        var mwctl = Path.Combine(AppContext.BaseDirectory, "mwctl.dll");
        return await RunAsync(ignoreFailure: true, "setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--", HostProcess.DotnetPath(), mwctl,
            "call", "ping", "{}", "--pipe", socket, "--pos", InstallationFolder.PointOfSale, "--timeout", "30");
    }

    private static async Task<string> LsAsync(params string[] paths) => (await RunAsync(ignoreFailure: true, "ls", ["-ld", .. paths])).Output;

    private static Task<(int Code, string Output)> RunAsync(string file, params string[] arguments) => RunAsync(false, file, arguments);

    private static async Task<(int Code, string Output)> RunAsync(bool ignoreFailure, string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["HOME"] = Path.GetTempPath();
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("XDG_RUNTIME_DIR");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        if (!ignoreFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {text}");
        }

        return (process.ExitCode, text);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}
