namespace Middleware.Serial;

/// <summary>The host's serial links (section <c>SerialLinks</c>); every wait of a link is bounded by one of these.</summary>
public sealed class SerialLinkOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SerialLinks";

    /// <summary>Pause between two attempts to reopen a lost link (unplugged device, dropped TCP bridge); default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for one open of a port or TCP connect; default 5 s.</summary>
    public TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for one write; a write that takes longer fails and the link is reopened; default 5 s.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most bytes one read hands back (the link buffers nothing itself: a read asks the port for at most this
    /// much); default 4096.</summary>
    public int MaxReadChunk { get; set; } = 4096;

    /// <summary>How device paths are opened: <see cref="SerialLinkTransport.Auto"/> (default: the Linux tty transport on
    /// Linux x64/arm64, System.IO.Ports elsewhere) or <see cref="SerialLinkTransport.SystemIoPorts"/> (System.IO.Ports
    /// everywhere, as before).</summary>
    public SerialLinkTransport Transport { get; set; } = SerialLinkTransport.Auto;
}
