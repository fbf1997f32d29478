using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Middleware.Client;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Security;

/// <summary>Issue #18: the socket lives in a private folder, never /tmp, with modes that let in exactly the
/// allowed accounts.</summary>
[SupportedOSPlatform("linux")]
public sealed partial class SocketPlaceTests
{
    private const UnixFileMode Rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void The_default_socket_is_never_in_tmp()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = PipeAddress.UnixSocketPath("izly-middleware");

        Assert.False(path.StartsWith(Path.GetTempPath(), StringComparison.Ordinal), path);
        Assert.EndsWith("/izly-middleware.sock", path);
        Assert.Equal("/srv/mw.sock", PipeAddress.UnixSocketPath("/srv/mw.sock"));
        Assert.Equal("/var/mw/x.sock", PipeAddress.UnixSocketPath("x", "/var/mw"));
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is null && Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is null && Environment.IsPrivilegedProcess)
        {
            Assert.Equal("/run/izly-middleware/izly-middleware.sock", path);
        }
    }

    [Fact]
    public async Task The_server_creates_its_socket_folder_0700_and_the_socket_0600_and_the_client_finds_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        await using var harness = await PipeServerHarness.StartAsync(s => s["Pipe:SocketDirectory"] = folder);

        var socket = Path.Combine(folder, harness.PipeName + ".sock");
        Assert.Equal(socket, harness.Server.Address);
        Assert.Equal(Rwx, File.GetUnixFileMode(folder));
        Assert.Equal(Rw, File.GetUnixFileMode(socket));
        await using var client = await harness.ConnectAsync(configure: o => o.SocketDirectory = folder);
        await client.PingAsync();
    }

    [Fact]
    public async Task The_default_folder_is_shared_by_server_and_client()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await using var harness = await PipeServerHarness.StartAsync();

        Assert.Equal(PipeAddress.UnixSocketPath(harness.PipeName), harness.Server.Address);
        Assert.Equal(harness.Server.Address, Middleware.Client.Connection.ServerLocation.Resolve(new MiddlewareClientOptions { PipeName = harness.PipeName }));
        var mode = File.GetUnixFileMode(Path.GetDirectoryName(harness.Server.Address)!);
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        await using var client = await harness.ConnectAsync();
        await client.PingAsync();
    }

    [Fact]
    public async Task A_socket_folder_others_may_write_stops_the_server()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        File.SetUnixFileMode(folder, (UnixFileMode)0x1FF); // 0777

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PipeServerHarness.StartAsync(s => s["Pipe:SocketDirectory"] = folder));

        Assert.Contains($"The socket folder '{folder}' may be written by other accounts (mode 777)", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_socket_folder_of_another_account_stops_the_server()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine($"SKIPPED {nameof(A_socket_folder_of_another_account_stops_the_server)}: giving a folder to another account needs root.");
            return;
        }

        var folder = NewFolder();
        Assert.Equal(0, Chown(folder, 4242, 4242));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PipeServerHarness.StartAsync(s => s["Pipe:SocketDirectory"] = folder));

        Assert.Contains($"The socket folder '{folder}' belongs to another account (uid 4242", error.Message);
    }

    [Fact]
    public async Task A_running_server_keeps_its_socket_and_a_stale_one_is_replaced()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        var pipeName = PipeServerHarness.NewPipeName();
        await using (var first = await PipeServerHarness.StartAsync(s => s["Pipe:SocketDirectory"] = folder, pipeName))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PipeServerHarness.StartAsync(s => s["Pipe:SocketDirectory"] = folder, pipeName));
            Assert.Contains("Another process is already listening on", error.Message);
            await using var client = await first.ConnectAsync(configure: o => o.SocketDirectory = folder);
            await client.PingAsync();
        }

        // A socket file left behind (a killed host) is not in the way of the next start.
        LeaveStaleSocket(Path.Combine(folder, pipeName + ".sock"));

        Assert.True(File.Exists(Path.Combine(folder, pipeName + ".sock")));
        await using var second = await PipeServerHarness.StartAsync(s => s["Pipe:SocketDirectory"] = folder, pipeName);
        await using var again = await second.ConnectAsync(configure: o => o.SocketDirectory = folder);
        await again.PingAsync();
    }

    [Fact]
    public async Task Allowed_group_gets_the_socket_0660_and_its_folder_0750()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine($"SKIPPED {nameof(Allowed_group_gets_the_socket_0660_and_its_folder_0750)}: giving files to any group needs root.");
            return;
        }

        var folder = NewFolder();
        await using var harness = await PipeServerHarness.StartAsync(s =>
        {
            s["Pipe:SocketDirectory"] = folder;
            s["Pipe:AllowedGroup"] = "4243";
            s["Pipe:AllowedUsers:0"] = "4242";
        });

        var socket = harness.Server.Address;
        Assert.Equal(Rw | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(socket));
        Assert.Equal(Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(folder));
        Assert.Equal(4243u, GroupOf(socket));
        Assert.Equal(4243u, GroupOf(folder));
    }

    [Fact]
    public async Task Allowed_users_without_a_group_get_acl_entries_on_the_socket_and_its_folder()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var folder = NewFolder();
        await using var harness = await PipeServerHarness.StartAsync(s =>
        {
            s["Pipe:SocketDirectory"] = folder;
            s["Pipe:AllowedUsers:0"] = "4242";
            s["Pipe:AllowedUsers:1"] = "4244";
        });

        var socket = harness.Server.Address;
        // user::rw- user:4242:rw- user:4244:rw- group::--- mask::rw- other::---
        Assert.Equal([(1, 6, uint.MaxValue), (2, 6, 4242u), (2, 6, 4244u), (4, 0, uint.MaxValue), (0x10, 6, uint.MaxValue), (0x20, 0, uint.MaxValue)], ReadAcl(socket));
        // user::rwx user:4242:--x user:4244:--x group::--- mask::--x other::---
        Assert.Equal([(1, 7, uint.MaxValue), (2, 1, 4242u), (2, 1, 4244u), (4, 0, uint.MaxValue), (0x10, 1, uint.MaxValue), (0x20, 0, uint.MaxValue)], ReadAcl(folder));
    }

    // Binds and closes a socket with libc: .NET's own Socket removes its file on close, a killed host does not.
    private static void LeaveStaleSocket(string path)
    {
        var fd = SocketCall(1, 1, 0); // AF_UNIX, SOCK_STREAM
        Assert.True(fd >= 0);
        var address = new byte[110];
        address[0] = 1; // sun_family = AF_UNIX (little-endian short)
        System.Text.Encoding.UTF8.GetBytes(path).CopyTo(address, 2);
        try
        {
            Assert.Equal(0, Bind(fd, address, address.Length));
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static List<(int Tag, int Permissions, uint Id)> ReadAcl(string path)
    {
        var buffer = new byte[256];
        var length = GetXattr(path, "system.posix_acl_access", buffer, (nuint)buffer.Length);
        Assert.True(length > 4, $"no ACL on {path} (errno {Marshal.GetLastPInvokeError()})");
        var entries = new List<(int, int, uint)>();
        for (var at = 4; at + 8 <= length; at += 8)
        {
            entries.Add((BitConverter.ToUInt16(buffer, at), BitConverter.ToUInt16(buffer, at + 2), BitConverter.ToUInt32(buffer, at + 4)));
        }

        return entries;
    }

    private static uint GroupOf(string path)
    {
        var status = new byte[512];
        Assert.Equal(0, LStat(path, status));
        return BitConverter.ToUInt32(status, 12); // the runtime shim's FileStatus: flags, mode, uid, gid
    }

    private static string NewFolder()
    {
        var parent = Path.Combine(Path.GetTempPath(), "mw-socket-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(parent, Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var folder = Path.Combine(parent, "run");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, Rwx);
        return folder;
    }

    [LibraryImport("libc", EntryPoint = "socket")]
    private static partial int SocketCall(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind")]
    private static partial int Bind(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint GetXattr(string path, string name, byte[] value, nuint size);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, byte[] status);
}
