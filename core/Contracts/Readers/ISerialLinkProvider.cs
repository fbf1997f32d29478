namespace Middleware.Contracts.Readers;

/// <summary>
/// The host's serial-port service (native handles stay in the host), for plugins that talk to a terminal over a
/// serial line, e.g. the Ingenico Tetra (<c>cards.md</c> §7): a USB CDC port, an RS-232 port or a pseudo-terminal
/// opened by path. Plugins get it through <c>IPluginContext.GetService&lt;ISerialLinkProvider&gt;()</c>.
/// </summary>
public interface ISerialLinkProvider
{
    /// <summary>The serial ports the system reports (e.g. <c>/dev/ttyACM0</c>, <c>COM3</c>); pseudo-terminals are not listed
    /// but can be opened by path.</summary>
    IReadOnlyList<string> ListPorts();

    /// <summary>
    /// Opens the port or pseudo-terminal at <paramref name="path"/> with <paramref name="settings"/> and returns a duplex
    /// stream over it: reads return what the line received (honouring their <see cref="CancellationToken"/>), writes
    /// send; disposing the stream closes the port. Throws <see cref="IOException"/> when it cannot be opened
    /// (missing, busy, no permission) and <see cref="UnauthorizedAccessException"/> when access is denied;
    /// <see cref="ArgumentException"/>, naming the setting, for settings other than 7 or 8 data bits, parity none, even
    /// or odd, 1 or 2 stop bits and a standard rate.
    /// </summary>
    /// <remarks>
    /// <para><c>tcp://host:port</c> opens a serial-over-TCP bridge (PCL, raw socket server) instead: the same stream
    /// semantics over a TCP connection; the line settings are then the bridge's own (checked, not applied).</para>
    /// <para>The stream survives the device going away and coming back on the same path (USB unplug and replug, the
    /// bridge dropping the connection): the read or write in flight when the link is lost fails with
    /// <see cref="IOException"/> (that exchange is lost, start it over); later reads and writes wait, bounded by their
    /// token, until the host has reopened the same path with the same settings, which it tries in the background every
    /// <c>SerialLinks:ReconnectDelay</c> (1 s). A loss is noticed by the read or write in flight, so keep a read pending
    /// to notice it at once. Each write is bounded by <c>SerialLinks:WriteTimeout</c> (5 s; a write past it counts as a
    /// loss). A pseudo-terminal always carries 8-bit bytes without parity: 7E1 bytes cross it unchanged. Disposing the
    /// stream stops the reconnection and closes the port; pending reads and writes then throw
    /// <see cref="ObjectDisposedException"/>.</para>
    /// </remarks>
    /// <param name="path">The port name or device path, or <c>tcp://host:port</c>.</param>
    /// <param name="settings">Line settings.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken);
}

/// <summary>Parity of a serial line.</summary>
public enum SerialParity
{
    /// <summary>No parity bit.</summary>
    None,

    /// <summary>Even parity.</summary>
    Even,

    /// <summary>Odd parity.</summary>
    Odd,
}

/// <summary>Stop bits of a serial line.</summary>
public enum SerialStopBits
{
    /// <summary>One stop bit.</summary>
    One,

    /// <summary>Two stop bits.</summary>
    Two,
}

/// <summary>Line settings; defaults are the Tetra's USB CDC 9600 8N1 (RS-232 7E1 is <c>DataBits = 7, Parity = Even</c>).</summary>
public sealed record SerialLinkSettings
{
    /// <summary>Bits per second; default 9600.</summary>
    public int BaudRate { get; init; } = 9600;

    /// <summary>Data bits (7 or 8); default 8.</summary>
    public int DataBits { get; init; } = 8;

    /// <summary>Parity; default none.</summary>
    public SerialParity Parity { get; init; } = SerialParity.None;

    /// <summary>Stop bits; default one.</summary>
    public SerialStopBits StopBits { get; init; } = SerialStopBits.One;

    /// <summary>Whether to drop what was buffered before the port was opened; default true.</summary>
    public bool DiscardBufferedInput { get; init; } = true;
}
