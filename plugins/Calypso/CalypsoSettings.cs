using System.Globalization;
using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.Calypso;

/// <summary>
/// The plugin's <c>settings</c> in <c>plugins.json</c> (<c>cards.md</c> §6 by default), e.g.
/// <c>{ "applicationId": "315449432E494341", "sfi": 26, "recordNumber": 1, "atrPatterns": [...], "rev1AtrPatterns": [...] }</c>;
/// the common settings (<c>readerNamePattern</c>, <c>readTimeoutMs</c>) are the SDK's <see cref="PcscCardSettings"/>.
/// </summary>
internal sealed class CalypsoSettings
{
    /// <summary>The AID selected on Rev2/3 cards, hexadecimal (5..16 bytes). Default "1TIC.ICA".</summary>
    public string ApplicationId { get; set; } = "315449432E494341";

    /// <summary>The short file identifier of the ZDC record (1..30). Default 0x1A (26).</summary>
    public int Sfi { get; set; } = 0x1A;

    /// <summary>The ZDC's record number (1..255). Default 1.</summary>
    public int RecordNumber { get; set; } = 1;

    /// <summary>ATRs claimed whose revision the ATR does not tell (Rev2/3 select first, Rev1 fallback). Defaults: the
    /// PC/SC pseudo-ATR of a Calypso card over Innovatron B' (historical bytes start <c>80 5A</c>, the Calypso
    /// startup-information tag) and of an ISO 14443-4 Type B card (8 historical bytes: ATQB application data,
    /// protocol info, MBLI).</summary>
    public string[] AtrPatterns { get; set; } = ["3B 8F 80 01 80 5A *", "3B 88 80 01 .. .. .. .. .. .. .. .. .."];

    /// <summary>ATRs known to be Rev1 cards: read at once with CLA 94, no select. Default none: real Rev1 ATRs vary by
    /// batch and reader, and the fallback reads them anyway.</summary>
    public string[] Rev1AtrPatterns { get; set; } = [];

    /// <summary>The validated values. Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedCalypsoSettings Validate()
    {
        if (ApplicationId is not { Length: >= 10 and <= 32 } || ApplicationId.Length % 2 != 0
            || !ApplicationId.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"Setting applicationId must be 5 to 16 bytes in hexadecimal, not '{ApplicationId}'.");
        }

        if (Sfi is < 1 or > 30)
        {
            throw new ArgumentException($"Setting sfi must be 1..30, not {Sfi.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (RecordNumber is < 1 or > 255)
        {
            throw new ArgumentException($"Setting recordNumber must be 1..255, not {RecordNumber.ToString(CultureInfo.InvariantCulture)}.");
        }

        var patterns = Parse(AtrPatterns, "atrPatterns");
        var rev1 = Parse(Rev1AtrPatterns ?? [], "rev1AtrPatterns");
        if (patterns.Length + rev1.Length == 0)
        {
            throw new ArgumentException("Setting atrPatterns or rev1AtrPatterns must list at least one ATR pattern.");
        }

        return new ValidatedCalypsoSettings(Convert.FromHexString(ApplicationId), (byte)Sfi, (byte)RecordNumber, patterns, rev1);
    }

    private static AtrPattern[] Parse(string[]? patterns, string setting)
    {
        if (patterns is null)
        {
            throw new ArgumentException($"Setting {setting} must be a list of ATR patterns.");
        }

        try
        {
            return [.. patterns.Select(p => AtrPattern.Parse(p ?? ""))];
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Setting {setting}: {ex.Message}");
        }
    }
}

internal sealed record ValidatedCalypsoSettings(
    byte[] ApplicationId,
    byte Sfi,
    byte RecordNumber,
    IReadOnlyList<AtrPattern> AtrPatterns,
    IReadOnlyList<AtrPattern> Rev1AtrPatterns)
{
    /// <summary>The revision the ATR tells, <see cref="CalypsoRevision.Unknown"/> when claimed without one, or null
    /// when this plugin does not claim the ATR. The Rev1 patterns win: they are the more specific.</summary>
    public CalypsoRevision? RevisionOf(ReadOnlySpan<byte> atr)
    {
        foreach (var pattern in Rev1AtrPatterns)
        {
            if (pattern.Matches(atr))
            {
                return CalypsoRevision.Rev1;
            }
        }

        foreach (var pattern in AtrPatterns)
        {
            if (pattern.Matches(atr))
            {
                return CalypsoRevision.Unknown;
            }
        }

        return null;
    }
}
