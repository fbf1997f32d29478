namespace Middleware.Serial.Transports;

/// <summary>Opens one connection of a link (a serial port, a TCP bridge); called again with the same path and settings
/// each time the link is reopened after a loss.</summary>
internal interface ILinkTransport
{
    /// <summary>What the logs and errors call the link (a device path or <c>tcp://host:port</c>; never a secret).</summary>
    string Name { get; }

    /// <summary>Opens a connection within the open timeout. Throws <see cref="IOException"/> when it cannot (missing,
    /// busy, refused, too slow) and <see cref="UnauthorizedAccessException"/> when access is denied.</summary>
    Task<LinkConnection> OpenAsync(CancellationToken cancellationToken);
}
