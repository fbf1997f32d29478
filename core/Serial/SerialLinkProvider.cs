using System.IO.Ports;
using Microsoft.Extensions.Logging;
using Middleware.Contracts.Readers;
using Middleware.Serial.Transports;

namespace Middleware.Serial;

/// <summary>The host's <see cref="ISerialLinkProvider"/>: device paths through the Linux tty transport or System.IO.Ports
/// (option Transport), <c>tcp://host:port</c>
/// through a TCP connection; either way a stream that reopens the link when it is lost.</summary>
internal sealed partial class SerialLinkProvider(SerialLinkOptions options, TimeProvider time, ILoggerFactory loggers) : ISerialLinkProvider
{
    private readonly ILogger _logger = loggers.CreateLogger<SerialLinkProvider>();
    private readonly ILogger _linkLogger = loggers.CreateLogger<ReconnectingLinkStream>();

    public IReadOnlyList<string> ListPorts()
    {
        var ports = SerialPort.GetPortNames();
        Array.Sort(ports, StringComparer.Ordinal);
        return ports;
    }

    public async Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        LineSettingsCheck.Validate(settings);
        var transport = LinkTransports.Create(path, settings, options, time, _logger);
        var first = await transport.OpenAsync(cancellationToken).ConfigureAwait(false);
        LogOpened(_logger, transport.Name, LineSettingsCheck.Describe(settings));
        return new ReconnectingLinkStream(transport, first, options, time, _linkLogger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serial link {Link} opened ({Settings})")]
    private static partial void LogOpened(ILogger logger, string link, string settings);
}
