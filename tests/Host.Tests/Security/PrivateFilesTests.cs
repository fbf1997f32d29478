using Microsoft.Extensions.Options;

namespace Middleware.Host.Tests.Security;

/// <summary>Issue #18: sales, payments, tickets and logs hold names, e-mails, card numbers and QR texts; the host
/// creates them for its own account only and refuses stores that another account could write.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class PrivateFilesTests
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task The_real_host_started_under_umask_022_creates_every_file_0600_and_every_folder_0700()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Unix modes only; Windows relies on the installation folder's ACL.
        }
        var installation = new InstallationFolder();
        await using (var host = HostProcess.Start(installation.Arguments(), umask: "022"))
        {
            await host.WaitUntilServingAsync(installation.SocketPath, InstallationFolder.PointOfSale, TimeSpan.FromSeconds(90));

            // While it runs: the SQLite stores have their -wal and -shm beside them.
            var entries = Directory.GetFileSystemEntries(installation.Root, "*", SearchOption.AllDirectories)
                .Where(path => Path.GetDirectoryName(path) != installation.Root || Directory.Exists(path)) // the test's own plugins.json, appsettings.json
                .Select(path => (Path: Path.GetRelativePath(installation.Root, path), Mode: File.GetUnixFileMode(path), IsFolder: Directory.Exists(path)))
                .OrderBy(e => e.Path, StringComparer.Ordinal)
                .ToList();
            var listing = string.Join("\n", entries.Select(e => $"{Convert.ToString((int)e.Mode, 8),4} {e.Path}"));

            foreach (var expected in new[] { "data", "data/payments.db", "data/payments.db-wal", "data/payments.db-shm", "data/tickets.db", "data/idempotency.db", "data/sandbox.db", "data/reference.db", "logs", "run", $"run/{installation.PipeName}.sock" })
            {
                Assert.True(entries.Any(e => e.Path == expected), $"{expected} missing from:\n{listing}");
            }

            Assert.Contains(entries, e => e.Path.StartsWith("logs/middleware-", StringComparison.Ordinal));
            foreach (var (path, mode, isFolder) in entries)
            {
                Assert.True((mode & GroupOrOthers) == 0, $"{path} is {Convert.ToString((int)mode, 8)}, readable or writable by others:\n{listing}");
                Assert.True(!isFolder || mode == (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), $"folder {path} is not 0700:\n{listing}");
            }
        }
    }

    [Fact]
    public async Task The_real_host_refuses_to_start_on_a_store_others_may_write_and_names_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Unix modes only; Windows relies on the installation folder's ACL.
        }
        var installation = new InstallationFolder();
        var data = Path.Combine(installation.Root, "data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var tickets = Path.Combine(data, "tickets.db");
        await File.WriteAllBytesAsync(tickets, []);
        File.SetUnixFileMode(tickets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        await using var host = HostProcess.Start(installation.Arguments());
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, code);
        Assert.Contains($"Tickets:DatabasePath: the file '{tickets}' may be written by other accounts (mode 666)", host.Output);
        Assert.False(File.Exists(installation.SocketPath), "the pipe must not be served");
    }

    [Fact]
    public async Task A_data_folder_others_may_write_stops_the_start_before_any_store_is_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Unix modes only; Windows relies on the installation folder's ACL.
        }
        var installation = new InstallationFolder();
        var data = Path.Combine(installation.Root, "data");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(data, (UnixFileMode)0x1FF); // 0777

        var builder = MiddlewareHost.CreateBuilder([.. installation.Arguments()], installation.Root);
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"the folder '{data}' may be written by other accounts (mode 777)", error.Message);
        Assert.Empty(Directory.GetFiles(data));
    }

    [Fact]
    public async Task A_shadow_copy_folder_others_may_write_stops_the_start()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Unix modes only; Windows relies on the installation folder's ACL.
        }
        // Issue #18, attack 2 for plugins: code copied to a folder another account can write may be swapped before it loads.
        var installation = new InstallationFolder();
        var shared = Path.Combine(installation.Root, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FF); // 0777, as /tmp without its sticky bit
        var shadow = Path.Combine(shared, "shadow");

        var builder = MiddlewareHost.CreateBuilder([.. installation.Arguments($"--PluginHost:ShadowCopyDirectory={shadow}")], installation.Root);
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"PluginHost:ShadowCopyDirectory: the folder '{shared}' may be written by other accounts (mode 777)", error.Message);
        Assert.False(Directory.Exists(shadow));
    }

    [Fact]
    public async Task A_store_of_another_account_is_refused()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine($"SKIPPED {nameof(A_store_of_another_account_is_refused)}: giving a file to another account needs root.");
            return;
        }
        var installation = new InstallationFolder();
        var data = Path.Combine(installation.Root, "data");
        Directory.CreateDirectory(data);
        var payments = Path.Combine(data, "payments.db");
        await File.WriteAllBytesAsync(payments, []);
        File.SetUnixFileMode(payments, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(0, Chown(payments, 4242, 4242));

        var builder = MiddlewareHost.CreateBuilder([.. installation.Arguments()], installation.Root);
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Payments:DatabasePath: the file '{payments}' belongs to another account (uid 4242)", error.Message);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "chown", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
