using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;

namespace Middleware.Serial.Transports.UnixTty;

/// <summary>
/// A device path opened directly with open(2) and termios on Linux (x64, arm64), instead of System.IO.Ports, whose
/// port loop sleeps 1 ms between polls and so adds up to 1 ms to every read and write (about 10 ms to a Tetra card
/// read of 12 one-byte exchanges). Keeps <see cref="SerialPortTransport"/>'s behaviour: TIOCEXCL, a pseudo-terminal
/// opened 8N1 whatever is asked (logged the same way), DTR and RTS raised on a device whose driver has modem
/// control, a missing path an <see cref="IOException"/>, EACCES/EPERM an <see cref="UnauthorizedAccessException"/>.
/// </summary>
internal sealed partial class UnixTtyTransport(string path, SerialLinkSettings settings, TimeSpan openTimeout, TimeProvider time, ILogger logger) : ILinkTransport
{
    public string Name => path;

    public Task<LinkConnection> OpenAsync(CancellationToken cancellationToken) =>
        BoundedOpen.RunAsync(Open, path, openTimeout, time, cancellationToken);

    private LinkConnection Open()
    {
        var pseudoTerminal = SerialPortTransport.IsPseudoTerminal(path);
        var line = settings;
        if (pseudoTerminal && (settings.DataBits != 8 || settings.Parity != SerialParity.None))
        {
            SerialPortTransport.LogPseudoTerminal(logger, path, LineSettingsCheck.Describe(settings));
            line = settings with { DataBits = 8, Parity = SerialParity.None };
        }

        var tty = TtyDevice.Open(path);
        try
        {
            TtyDevice.TakeExclusive(tty, path);
            TtyLine.Apply(tty, path, line);

            // A pseudo-terminal has no modem lines (ENOTTY): not asked.
            if (!pseudoTerminal && !TtyDevice.RaiseModemLines(tty, path))
            {
                LogNoModemControl(logger, path);
            }

            if (settings.DiscardBufferedInput)
            {
                TtyDevice.DiscardInput(tty, path);
            }

            var stream = new TtyStream(tty);
            return new LinkConnection(stream, stream.Dispose);
        }
        catch
        {
            tty.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Serial link {Link}: the driver has no modem control; DTR and RTS left as they are")]
    private static partial void LogNoModemControl(ILogger logger, string link);
}
