using System.Globalization;
using System.Text.RegularExpressions;

namespace Middleware.Plugins.Desfire;

/// <summary>
/// The plugin's <c>settings</c> in <c>plugins.json</c> (<c>cards.md</c> §3 layout by default), e.g.
/// <c>{ "applicationId": "F58540", "fileNumber": 0, "readKeyNumber": 1, "samKeyNumber": 1, "readerNamePattern": "Identiv|OMNIKEY" }</c>.
/// </summary>
internal sealed class DesfireSettings
{
    /// <summary>The Izly application id, 6 hex digits as written (MSB first); sent LSB first. Default <c>F58540</c>.</summary>
    public string ApplicationId { get; set; } = "F58540";

    /// <summary>The ZDC file number. Default 0.</summary>
    public int FileNumber { get; set; }

    /// <summary>The card's key number that grants reading the ZDC file. Default 1.</summary>
    public int ReadKeyNumber { get; set; } = 1;

    /// <summary>The SAM's DESFire master key entry to diversify the read key from. Default 1.</summary>
    public int SamKeyNumber { get; set; } = 1;

    /// <summary>A regular expression (case-insensitive) the reader names must match; default: every reader.</summary>
    public string? ReaderNamePattern { get; set; }

    /// <summary>Limit for one whole card read, in milliseconds. Default 5000.</summary>
    public int ReadTimeoutMs { get; set; } = 5000;

    /// <summary>Wait before retrying when the PC/SC service is gone, in milliseconds. Default 2000.</summary>
    public int ServiceRetryDelayMs { get; set; } = 2000;

    /// <summary>Longest single wait for reader changes, in milliseconds (the loop then waits again). Default 60000.</summary>
    public int StatusWaitTimeoutMs { get; set; } = 60_000;

    /// <summary>The validated values. Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedDesfireSettings Validate()
    {
        if (ApplicationId is not { Length: 6 } || !uint.TryParse(ApplicationId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var aid))
        {
            throw new ArgumentException($"Setting applicationId must be 6 hexadecimal digits, not '{ApplicationId}'.");
        }

        if (FileNumber is < 0 or > 31)
        {
            throw new ArgumentException($"Setting fileNumber must be 0..31, not {FileNumber}.");
        }

        if (ReadKeyNumber is < 0 or > 13)
        {
            throw new ArgumentException($"Setting readKeyNumber must be 0..13, not {ReadKeyNumber}.");
        }

        if (SamKeyNumber is < 0 or > 255)
        {
            throw new ArgumentException($"Setting samKeyNumber must be 0..255, not {SamKeyNumber}.");
        }

        if (ReadTimeoutMs <= 0 || ServiceRetryDelayMs <= 0 || StatusWaitTimeoutMs <= 0)
        {
            throw new ArgumentException("Settings readTimeoutMs, serviceRetryDelayMs and statusWaitTimeoutMs must be positive.");
        }

        Regex? filter = null;
        if (!string.IsNullOrWhiteSpace(ReaderNamePattern))
        {
            try
            {
                filter = new Regex(ReaderNamePattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Setting readerNamePattern is not a valid regular expression: {ex.Message}");
            }
        }

        return new ValidatedDesfireSettings(
            aid,
            (byte)FileNumber,
            (byte)ReadKeyNumber,
            (byte)SamKeyNumber,
            filter,
            TimeSpan.FromMilliseconds(ReadTimeoutMs),
            TimeSpan.FromMilliseconds(ServiceRetryDelayMs),
            TimeSpan.FromMilliseconds(StatusWaitTimeoutMs));
    }
}

internal sealed record ValidatedDesfireSettings(
    uint ApplicationId,
    byte FileNumber,
    byte ReadKeyNumber,
    byte SamKeyNumber,
    Regex? ReaderFilter,
    TimeSpan ReadTimeout,
    TimeSpan ServiceRetryDelay,
    TimeSpan StatusWaitTimeout)
{
    public bool Accepts(string readerName) => ReaderFilter is null || ReaderFilter.IsMatch(readerName);
}
