using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Sdk.Serial;

/// <summary>
/// The settings every serial terminal plugin has, in its <c>settings</c> object of <c>plugins.json</c>:
/// <c>{ "port": "/dev/ttyACM0", "terminalName": "Tetra caisse 1", "baudRate": 9600, "dataBits": 8, "parity": "None" }</c>.
/// <c>port</c> may also be <c>tcp://host:port</c> for a PCL bridge.
/// </summary>
public sealed class SerialTerminalSettings
{
    /// <summary>The device path or <c>tcp://host:port</c>. Required.</summary>
    public string? Port { get; set; }

    /// <summary>The terminal's name, as tills and <c>plugins.json</c>'s points of sale name it. Default: the port.</summary>
    public string? TerminalName { get; set; }

    /// <summary>Bits per second. Default 9600.</summary>
    public int BaudRate { get; set; } = 9600;

    /// <summary>7 or 8. Default 8.</summary>
    public int DataBits { get; set; } = 8;

    /// <summary>None, Even or Odd. Default None (RS-232 Tetras use 7E1: <c>dataBits 7, parity Even</c>).</summary>
    public SerialParity Parity { get; set; } = SerialParity.None;

    /// <summary>One or Two. Default One.</summary>
    public SerialStopBits StopBits { get; set; } = SerialStopBits.One;

    /// <summary>The checked values; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedSerialTerminalSettings Validate()
    {
        if (string.IsNullOrWhiteSpace(Port))
        {
            throw new ArgumentException("Setting port is required (a device path such as /dev/ttyACM0, or tcp://host:port).");
        }

        if (BaudRate is < 300 or > 921_600)
        {
            throw new ArgumentException($"Setting baudRate must be 300..921600, not {BaudRate}.");
        }

        if (DataBits is not (7 or 8))
        {
            throw new ArgumentException($"Setting dataBits must be 7 or 8, not {DataBits}.");
        }

        var line = new SerialLinkSettings { BaudRate = BaudRate, DataBits = DataBits, Parity = Parity, StopBits = StopBits };
        return new ValidatedSerialTerminalSettings(Port, string.IsNullOrWhiteSpace(TerminalName) ? Port : TerminalName, line);
    }
}

/// <summary>Checked <see cref="SerialTerminalSettings"/>.</summary>
/// <param name="Port">The device path or tcp:// address.</param>
/// <param name="TerminalName">The terminal's name.</param>
/// <param name="Line">The line settings.</param>
public sealed record ValidatedSerialTerminalSettings(string Port, string TerminalName, SerialLinkSettings Line);
