using System.Runtime.Versioning;
using Middleware.Pipe.Server;
using Middleware.Shared.Unix;

namespace Middleware.Pipe.Security;

/// <summary>
/// The socket's folder and modes on Linux/macOS. Before the bind: the folder of a default socket is created private
/// (0700, or 0750 for <see cref="PipeServerOptions.AllowedGroup"/>) and refused when another account owns it or may
/// write it (it could swap the socket). After the bind: the socket is 0600 (0660 with the group), and the accounts of
/// <see cref="PipeServerOptions.AllowedUsers"/> get ACL entries when there is no group, so the kernel itself lets
/// exactly them in; the peer-credential check of each connection remains the second gate.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class UnixSocketPlace(PipeServerOptions options)
{
    private const int TypeMask = 0xF000;
    private const int Directory = 0x4000;
    private const int Socket = 0xC000;

    private readonly uint? groupId = string.IsNullOrWhiteSpace(options.AllowedGroup) ? null
        : UnixAccounts.GroupId(options.AllowedGroup) ?? throw new InvalidOperationException($"Pipe:AllowedGroup '{options.AllowedGroup}' is not a known group.");

    /// <summary>The socket's path.</summary>
    public string SocketPath { get; } = PipeAddress.UnixSocketPath(options.PipeName, options.SocketDirectory);

    /// <summary>True when the folder is ours to create and check (the pipe name is not an explicit path).</summary>
    public bool ManagesFolder => !Path.IsPathRooted(options.PipeName);

    /// <summary>Creates or checks the socket's folder; removes a stale socket left by a previous run.</summary>
    /// <exception cref="InvalidOperationException">The folder is unsafe: the message says why and what to do.</exception>
    public void Prepare()
    {
        var folder = Path.GetDirectoryName(SocketPath)!;
        if (ManagesFolder)
        {
            if (UnixFileStatus.Read(folder) is not { } status)
            {
                System.IO.Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                status = UnixFileStatus.Read(folder) ?? throw new IOException($"The socket folder '{folder}' vanished after its creation.");
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var me = UnixFileStatus.EffectiveUid;
            if ((status.Mode & TypeMask) != Directory)
            {
                throw new InvalidOperationException($"The socket folder '{folder}' is not a folder (a link or a file); remove it or set Pipe:SocketDirectory.");
            }

            if (status.Uid != me)
            {
                throw new InvalidOperationException($"The socket folder '{folder}' belongs to another account (uid {status.Uid}, the host runs as uid {me}): it could replace the socket. Remove it, or set Pipe:SocketDirectory to a folder of the host's account.");
            }

            if (status.WritableByOthers)
            {
                throw new InvalidOperationException($"The socket folder '{folder}' may be written by other accounts (mode {Convert.ToString(status.Permissions, 8)}): they could replace the socket. Run chmod go-w on it.");
            }

            GrantFolder(folder);
        }

        // A socket left by a host that was killed refuses connections; a new bind needs its name free. A socket that
        // answers belongs to a running host: taking its name would cut its tills off.
        if (UnixFileStatus.Read(SocketPath) is { } stale && (stale.Mode & TypeMask) == Socket)
        {
            if (IsListening(SocketPath))
            {
                throw new InvalidOperationException($"Another process is already listening on '{SocketPath}' (Pipe:PipeName '{options.PipeName}').");
            }

            File.Delete(SocketPath);
        }
    }

    /// <summary>Sets the bound socket's group, mode and ACL.</summary>
    public void Secure()
    {
        if (groupId is { } gid)
        {
            UnixAccounts.ChangeGroup(SocketPath, gid);
            File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            return;
        }

        File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (AllowedUids() is { Count: > 0 } uids && OperatingSystem.IsLinux())
        {
            PosixAcl.Set(SocketPath, ownerPermissions: 6, groupPermissions: 0, uids, userPermissions: 6);
        }
    }

    private void GrantFolder(string folder)
    {
        if (groupId is { } gid)
        {
            UnixAccounts.ChangeGroup(folder, gid);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        else if (AllowedUids() is { Count: > 0 } uids && OperatingSystem.IsLinux())
        {
            // Search (x) only: the allowed accounts reach the socket by its name, they need not list the folder.
            PosixAcl.Set(folder, ownerPermissions: 7, groupPermissions: 0, uids, userPermissions: 1);
        }
    }

    private static bool IsListening(string path)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private List<uint> AllowedUids() =>
        options.AllowedUsers.Select(UnixAccounts.UserId).OfType<uint>().Where(uid => uid != UnixFileStatus.EffectiveUid).ToList();
}
