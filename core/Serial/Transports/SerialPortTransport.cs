using System.IO.Ports;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;

namespace Middleware.Serial.Transports;

/// <summary>A device path (/dev/ttyACM0, COM3, a pseudo-terminal or a symlink to one) opened with System.IO.Ports: off
/// Linux x64/arm64, or with SerialLinks:Transport = SystemIoPorts (elsewhere UnixTtyTransport, which keeps the
/// behaviour below but not the 1 ms port loop).</summary>
/// <remarks>
/// Found on Linux (kernel 6.18) with System.IO.Ports 10.0.15 and a socat pty pair, under strace:
/// <list type="bullet">
/// <item>Open does open(2) O_NONBLOCK, TIOCEXCL, tcsetattr, then TIOCMGET/TIOCMSET for DTR and RTS. A pseudo-terminal
/// has no modem lines: TIOCMGET fails with ENOTTY. With DtrEnable and RtsEnable false (their defaults) System.IO.Ports
/// tolerates it and opens; with either true, Open throws IOException "Inappropriate ioctl for device" (and reading
/// DtrEnable, CtsHolding and the like throws it afterwards). A real USB CDC or RS-232 terminal may wait for DTR before
/// it talks, so a device is opened with DTR and RTS up, and again without them when that fails with an IOException
/// (a driver without modem control); a pseudo-terminal is opened without them at once.</item>
/// <item>The kernel's pty driver forces cs8 and -parenb on every tcsetattr (stty -F pty cs7 parenb: "unable to perform
/// all requested operations"; speed, cstopb and parodd are kept). System.IO.Ports then refuses 7 data bits or a parity
/// with ArgumentException. A pseudo-terminal carries bytes, not bits, so it is opened 8-bit without parity (rate and
/// stop bits as asked); 7E1 bytes cross it unchanged.</item>
/// <item>A missing path comes out of System.IO.Ports as UnauthorizedAccessException wrapping an IOException (errno 2);
/// it is turned into the IOException the contract promises (only EACCES/EPERM stay UnauthorizedAccessException).</item>
/// <item>Reads and writes go to SerialPort.BaseStream, whose Unix implementation polls the descriptor in its own loop
/// (1 ms) and completes a queued read as cancelled as soon as its token fires: cancellation works on a pty without
/// closing the port (a read cancelled after 300 ms returns at 300 ms).</item>
/// <item>When the device disappears that loop stops for good (the read in flight fails with ObjectDisposedException
/// "The port is closed"); later requests are queued and never served, and SerialPort.Close then spins forever in
/// Flush waiting for that queue. So a connection is closed through BaseStream.Dispose (no Flush) and a lost one is
/// replaced by a new SerialPort.</item>
/// </list>
/// </remarks>
internal sealed partial class SerialPortTransport(string path, SerialLinkSettings settings, TimeSpan openTimeout, TimeProvider time, ILogger logger) : ILinkTransport
{
    private const int Eacces = 13;
    private const int Eperm = 1;

    public string Name => path;

    public Task<LinkConnection> OpenAsync(CancellationToken cancellationToken) =>
        BoundedOpen.RunAsync(Open, path, openTimeout, time, cancellationToken);

    /// <summary>The port as it will be opened (not opened yet).</summary>
    internal static SerialPort CreatePort(string path, SerialLinkSettings settings, bool handshakeLines) => new(path)
    {
        BaudRate = settings.BaudRate,
        DataBits = settings.DataBits,
        Parity = settings.Parity switch
        {
            SerialParity.Even => Parity.Even,
            SerialParity.Odd => Parity.Odd,
            _ => Parity.None,
        },
        StopBits = settings.StopBits == SerialStopBits.Two ? StopBits.Two : StopBits.One,
        Handshake = Handshake.None,
        DtrEnable = handshakeLines,
        RtsEnable = handshakeLines,
    };

    /// <summary>Whether <paramref name="path"/> is (or links to) a Unix98 pseudo-terminal.</summary>
    internal static bool IsPseudoTerminal(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
            return target.StartsWith("/dev/pts/", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false; // missing or a link loop: the open reports it
        }
    }

    private LinkConnection Open()
    {
        SerialPort port;
        if (IsPseudoTerminal(path))
        {
            if (settings.DataBits != 8 || settings.Parity != SerialParity.None)
            {
                LogPseudoTerminal(logger, path, LineSettingsCheck.Describe(settings));
            }

            port = OpenPort(settings with { DataBits = 8, Parity = SerialParity.None }, handshakeLines: false);
        }
        else
        {
            try
            {
                port = OpenPort(settings, handshakeLines: true);
            }
            catch (IOException) when (File.Exists(path) || OperatingSystem.IsWindows())
            {
                // A driver without modem control refuses the DTR/RTS ioctls: see the remarks.
                port = OpenPort(settings, handshakeLines: false);
            }
        }

        try
        {
            if (settings.DiscardBufferedInput)
            {
                port.DiscardInBuffer();
            }

            var stream = port.BaseStream;
            return new LinkConnection(stream, () =>
            {
                // BaseStream.Dispose closes the handle without SerialPort.Close's Flush (see the remarks).
                stream.Dispose();
                port.Dispose();
            });
        }
        catch
        {
            port.BaseStream.Dispose();
            port.Dispose();
            throw;
        }
    }

    private SerialPort OpenPort(SerialLinkSettings line, bool handshakeLines)
    {
        var port = CreatePort(path, line, handshakeLines);
        try
        {
            port.Open();
            return port;
        }
        catch (UnauthorizedAccessException e) when (!OperatingSystem.IsWindows() && e.InnerException is IOException { HResult: not (Eacces or Eperm) } inner)
        {
            port.Dispose();
            throw new IOException($"Cannot open the serial port {path}: {inner.Message}.", e);
        }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException))
        {
            // e.g. ArgumentException for settings the device does not keep: the contract promises IOException.
            port.Dispose();
            throw new IOException($"Cannot open the serial port {path} with {LineSettingsCheck.Describe(line)}: {e.Message}", e);
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serial link {Link} is a pseudo-terminal: opened 8-bit without parity instead of {Settings} (a pty keeps neither; bytes cross unchanged)")]
    internal static partial void LogPseudoTerminal(ILogger logger, string link, string settings);
}
