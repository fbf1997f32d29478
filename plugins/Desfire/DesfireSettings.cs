using System.Globalization;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Desfire;

/// <summary>
/// The plugin's <c>settings</c> in <c>plugins.json</c> (<c>cards.md</c> §3 layout by default), e.g.
/// <c>{ "applicationId": "F58540", "fileNumber": 0, "readKeyNumber": 1, "samKeyNumber": 1, "atrPatterns": ["3B 81 80 01 80 80"] }</c>;
/// the common settings (<c>readerNamePattern</c>, <c>readTimeoutMs</c>) are the SDK's <see cref="PcscCardSettings"/>.
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

    /// <summary>The ATRs this plugin claims (hex bytes, <c>..</c> any byte, final <c>*</c> any tail). Default: the
    /// ISO 14443-4 pseudo-ATR of a DESFire EV1/EV2 (<c>3B 81 80 01 80 80</c>).</summary>
    public string[] AtrPatterns { get; set; } = ["3B 81 80 01 80 80"];

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

        if (AtrPatterns is not { Length: > 0 })
        {
            throw new ArgumentException("Setting atrPatterns must list at least one ATR pattern.");
        }

        var patterns = AtrPatterns.Select(p => AtrPattern.Parse(p ?? "")).ToArray();
        return new ValidatedDesfireSettings(
            aid,
            (byte)FileNumber,
            (byte)ReadKeyNumber,
            (byte)SamKeyNumber,
            patterns);
    }
}

internal sealed record ValidatedDesfireSettings(
    uint ApplicationId,
    byte FileNumber,
    byte ReadKeyNumber,
    byte SamKeyNumber,
    IReadOnlyList<AtrPattern> AtrPatterns)
{
    public bool Claims(ReadOnlySpan<byte> atr)
    {
        foreach (var pattern in AtrPatterns)
        {
            if (pattern.Matches(atr))
            {
                return true;
            }
        }

        return false;
    }
}
