using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;
using Middleware.Serial.Transports.UnixTty;

namespace Middleware.Serial.Transports;

/// <summary>Picks the transport for a path: <c>tcp://host:port</c> is a serial-over-TCP bridge, anything else a device,
/// opened by the Linux tty transport or System.IO.Ports as the Transport option says.</summary>
internal static class LinkTransports
{
    private const int MaxPathLength = 1024;

    public static ILinkTransport Create(string path, SerialLinkSettings settings, SerialLinkOptions options, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Length > MaxPathLength || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The serial link path must be a device path or tcp://host:port of at most {MaxPathLength} characters.", nameof(path));
        }

        if (path.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(path, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.Port is < 1 or > 65535
                || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new ArgumentException($"'{path}' is not of the form tcp://host:port.", nameof(path));
            }

            return new TcpTransport(uri.IdnHost, uri.Port, options.OpenTimeout, time);
        }

        return options.Transport == SerialLinkTransport.Auto && LibC.IsSupported
            ? new UnixTtyTransport(path, settings, options.OpenTimeout, time, logger)
            : new SerialPortTransport(path, settings, options.OpenTimeout, time, logger);
    }
}
