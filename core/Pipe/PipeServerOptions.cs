namespace Middleware.Pipe;

/// <summary>Settings of the till pipe server (configuration section <c>Pipe</c>).</summary>
public sealed class PipeServerOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Pipe";

    /// <summary>Pipe name. Windows: <c>\\.\pipe\{PipeName}</c>; Linux/macOS: the Unix socket
    /// <c>{SocketDirectory}/{PipeName}.sock</c>, or the name itself when it is an absolute path. Default
    /// <c>izly-middleware</c>.</summary>
    public string PipeName { get; set; } = "izly-middleware";

    /// <summary>Linux/macOS: the private folder of the socket when <see cref="PipeName"/> is not a path. Empty
    /// (default): <c>$XDG_RUNTIME_DIR/izly-middleware</c>, else <c>$RUNTIME_DIRECTORY</c> (systemd
    /// <c>RuntimeDirectory=</c>), else <c>/run/izly-middleware</c> for root, else the installation's <c>run/</c>
    /// (<see cref="Server.PipeAddress.DefaultSocketDirectory"/>). Created 0700 (0750 with <see cref="AllowedGroup"/>);
    /// the host refuses to start when it exists and another account owns it or may write it.</summary>
    public string? SocketDirectory { get; set; }

    /// <summary>Linux/macOS: a group whose members may open the socket: the socket and its folder are given to that
    /// group, socket 0660 and folder 0750. The host's account must be a member. The peer check
    /// (<see cref="AllowedUsers"/>) still applies to each connection. Empty (default): no group access; the accounts
    /// of <see cref="AllowedUsers"/> then get POSIX ACL entries on the socket and its folder.</summary>
    public string? AllowedGroup { get; set; }

    /// <summary>Longest accepted message line in bytes (without its newline); a longer line closes that
    /// connection only. Default 1 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Accounts other than the host's own that may connect: user names or numeric UIDs on Linux,
    /// <c>DOMAIN\user</c> names or SIDs on Windows. Empty (default): current user only.</summary>
    public List<string> AllowedUsers { get; set; } = [];

    /// <summary>Accounts (user names or numeric ids) that may call operator methods (plugin control, ticket replays),
    /// besides the host's own account and root. Default: none.</summary>
    public List<string> OperatorUsers { get; set; } = [];

    /// <summary>Whether the account running the host may connect. Default true; false is only useful
    /// when tills must run under a dedicated account listed in <see cref="AllowedUsers"/>.</summary>
    public bool AllowCurrentUser { get; set; } = true;

    /// <summary>SQLite file that keeps the first answer of every mutating call. Relative paths are resolved
    /// against the host's content root (the process's base directory). Default <c>data/idempotency.db</c>.</summary>
    public string IdempotencyDatabasePath { get; set; } = "data/idempotency.db";

    /// <summary>How long a first answer is kept for replay. Default 7 days (the protocol's minimum).</summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often expired answers are purged. Default 1 hour.</summary>
    public TimeSpan IdempotencyPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Number of pipe instances waiting for a connection at any time, so bursts of tills connect
    /// without waiting for one accept at a time. Default 4.</summary>
    public int ListenerCount { get; set; } = 4;

    /// <summary>Maximum simultaneous connections of tills that said <c>hello</c>; a further <c>hello</c> is answered 1005
    /// (Busy). Connections that have not said hello have slots of their own (<see cref="MaxConnectionsBeforeHello"/>), so
    /// they never take a till's. Default 254 (the Windows maximum number of pipe instances).</summary>
    public int MaxConnections { get; set; } = 254;

    /// <summary>Connections that have not said <c>hello</c> yet that may stay open: past it, each new connection closes the
    /// oldest of them that waited more than 0.25 s (a till says hello at once, a client holding connections open does not;
    /// tills connecting all at once are admitted over the number for those 0.25 s). Default 16.</summary>
    public int MaxConnectionsBeforeHello { get; set; } = 16;

    /// <summary>A connection that has not said <c>hello</c> this long after connecting is closed. Default 10 s.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A till's connection that sent nothing for this long, with no call in flight, is closed (notifications do not
    /// count: a till waiting for card taps should <c>ping</c> now and then). Default 2 hours.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Calls of one connection read and not yet answered, at most; past it the connection is not read until an
    /// answer is sent (the till's writes wait). Default 32.</summary>
    public int MaxInFlightPerConnection { get; set; } = 32;

    /// <summary>Answers and notifications of one connection written but not yet read by the till, at most, in bytes;
    /// past it no more answers are written (and, with <see cref="MaxInFlightPerConnection"/>, the connection is no longer
    /// read). Default 1 MiB: a till's answers are small, and the bound times <see cref="MaxConnections"/> is the most
    /// memory tills that never read can hold (about 300 MiB at the defaults). An answer larger than this is still
    /// written whole to a till that reads.</summary>
    public int MaxPendingOutputBytes { get; set; } = 1024 * 1024;

    /// <summary>A till that leaves <see cref="MaxPendingOutputBytes"/> unread this long is disconnected. Default 30 s.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Log entries about one connection's errors (bad calls, duplicate ids, dropped messages), at most, per
    /// minute; the next entry after a muted stretch says how many were left out. Default 20.</summary>
    public int MaxLogEntriesPerConnectionPerMinute { get; set; } = 20;
}
