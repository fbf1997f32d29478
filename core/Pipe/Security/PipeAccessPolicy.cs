using System.Globalization;

namespace Middleware.Pipe.Security;

/// <summary>Who is on the other end of a pipe connection (Unix: from the socket's peer credentials).</summary>
/// <param name="Uid">The peer's user id.</param>
/// <param name="UserName">Its user name, when it could be resolved.</param>
/// <param name="Pid">Its process id, for logs (0 when unknown).</param>
internal sealed record PeerIdentity(uint Uid, string? UserName, int Pid)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{UserName ?? "?"} (uid {Uid}, pid {Pid})");
}

/// <summary>
/// The allow-list rule (design lesson 8): the host's own account (unless <see cref="PipeServerOptions.AllowCurrentUser"/>
/// is false) plus every entry of <see cref="PipeServerOptions.AllowedUsers"/>, matched by user name or by numeric id.
/// </summary>
internal sealed class PipeAccessPolicy(PipeServerOptions options)
{
    /// <summary>True when the OS can enforce the rule alone (<c>PipeOptions.CurrentUserOnly</c>).</summary>
    public bool CurrentUserOnly => options.AllowCurrentUser && options.AllowedUsers.Count == 0;

    /// <summary>Operator methods: the host's own account, root, or an entry of <see cref="PipeServerOptions.OperatorUsers"/>
    /// (name or numeric id). A till runs under another account (one of <see cref="PipeServerOptions.AllowedUsers"/>).</summary>
    public bool IsOperator(PeerIdentity peer, uint currentUid) =>
        peer.Uid == currentUid || peer.Uid == 0 || Matches(options.OperatorUsers, peer);

    private static bool Matches(IEnumerable<string> entries, PeerIdentity peer)
    {
        foreach (var entry in entries)
        {
            var trimmed = entry.Trim();
            if (trimmed.Length > 0 && (uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid == peer.Uid
                    : peer.UserName is not null && string.Equals(trimmed, peer.UserName, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsAllowed(PeerIdentity peer, uint currentUid)
    {
        if (options.AllowCurrentUser && peer.Uid == currentUid)
        {
            return true;
        }

        foreach (var entry in options.AllowedUsers)
        {
            var trimmed = entry.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                if (uid == peer.Uid)
                {
                    return true;
                }
            }
            else if (peer.UserName is not null && string.Equals(trimmed, peer.UserName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
