using Middleware.Contracts.Readers;

namespace Middleware.Serial;

/// <summary>Refuses line settings the links do not support (only 7 or 8 data bits, parity none/even/odd, 1 or 2 stop
/// bits, a standard rate), naming the setting, before anything is opened.</summary>
internal static class LineSettingsCheck
{
    // The rates Linux's termios (and so System.IO.Ports on Linux) can set; Windows accepts them all too.
    internal static readonly HashSet<int> StandardRates =
    [
        50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
        460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
    ];

    public static void Validate(SerialLinkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!StandardRates.Contains(settings.BaudRate))
        {
            throw new ArgumentException(
                $"{nameof(SerialLinkSettings)}.{nameof(SerialLinkSettings.BaudRate)} {settings.BaudRate} is not a standard rate (e.g. 9600, 19200, 115200).",
                nameof(settings));
        }

        if (settings.DataBits is not (7 or 8))
        {
            throw new ArgumentException(
                $"{nameof(SerialLinkSettings)}.{nameof(SerialLinkSettings.DataBits)} {settings.DataBits} is not supported: 7 or 8.",
                nameof(settings));
        }

        if (!Enum.IsDefined(settings.Parity))
        {
            throw new ArgumentException(
                $"{nameof(SerialLinkSettings)}.{nameof(SerialLinkSettings.Parity)} {(int)settings.Parity} is not supported: None, Even or Odd.",
                nameof(settings));
        }

        if (!Enum.IsDefined(settings.StopBits))
        {
            throw new ArgumentException(
                $"{nameof(SerialLinkSettings)}.{nameof(SerialLinkSettings.StopBits)} {(int)settings.StopBits} is not supported: One or Two.",
                nameof(settings));
        }
    }

    public static string Describe(SerialLinkSettings settings) =>
        $"{settings.BaudRate} {settings.DataBits}{settings.Parity.ToString()[0]}{(settings.StopBits == SerialStopBits.One ? 1 : 2)}";
}
