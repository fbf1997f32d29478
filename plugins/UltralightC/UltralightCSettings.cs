using Middleware.Plugins.Sdk.Pcsc;

namespace Middleware.Plugins.UltralightC;

/// <summary>
/// The plugin's <c>settings</c> in <c>plugins.json</c>, e.g.
/// <c>{ "samKeyNumber": 0, "passThrough": "pcsc-transparent", "readerPassThrough": { "ACS ACR1252": "pcsc-transparent" } }</c>;
/// the common settings (<c>readerNamePattern</c>, <c>readTimeoutMs</c>) are the SDK's <see cref="PcscCardSettings"/>.
/// </summary>
internal sealed class UltralightCSettings
{
    /// <summary>The SAM's Ultralight C master key entry (diversified with the UID, cards.md §2). Default 0.</summary>
    public int SamKeyNumber { get; set; }

    /// <summary>How native frames reach the card on every reader (default <c>pcsc-transparent</c>).</summary>
    public string PassThrough { get; set; } = PassThroughModes.PcscTransparentName;

    /// <summary>Per-reader exceptions to <see cref="PassThrough"/>: a part of the reader's PC/SC name → its mode.</summary>
    public Dictionary<string, string> ReaderPassThrough { get; set; } = [];

    /// <summary>The ATRs claimed instead of the PC/SC Part 3 card name <c>003A</c> (hex bytes, <c>..</c> any byte,
    /// final <c>*</c> any tail); empty (the default) to claim by card name.</summary>
    public string[] AtrPatterns { get; set; } = [];

    /// <summary>The validated values. Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ValidatedUltralightCSettings Validate()
    {
        if (SamKeyNumber is < 0 or > 255)
        {
            throw new ArgumentException($"Setting samKeyNumber must be 0..255, not {SamKeyNumber}.");
        }

        var fallback = PassThroughModes.Parse(PassThrough, "passThrough");
        var perReader = new List<(string Reader, PassThroughMode Mode)>();
        foreach (var (reader, mode) in ReaderPassThrough ?? [])
        {
            if (string.IsNullOrWhiteSpace(reader))
            {
                throw new ArgumentException("Setting readerPassThrough has an empty reader name.");
            }

            perReader.Add((reader, PassThroughModes.Parse(mode, $"readerPassThrough['{reader}']")));
        }

        var patterns = (AtrPatterns ?? []).Select(p => AtrPattern.Parse(p ?? "")).ToArray();
        return new ValidatedUltralightCSettings((byte)SamKeyNumber, fallback, perReader, patterns);
    }
}

internal sealed record ValidatedUltralightCSettings(
    byte SamKeyNumber,
    PassThroughMode PassThrough,
    IReadOnlyList<(string Reader, PassThroughMode Mode)> ReaderPassThrough,
    IReadOnlyList<AtrPattern> AtrPatterns)
{
    /// <summary>An Ultralight C by its PC/SC Part 3 card name, or by the configured patterns when there are any.</summary>
    public bool Claims(ReadOnlySpan<byte> atr)
    {
        if (AtrPatterns.Count == 0)
        {
            return StorageCardType.TryParse(atr, out var type) && type.CardName == StorageCardType.UltralightC;
        }

        foreach (var pattern in AtrPatterns)
        {
            if (pattern.Matches(atr))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first per-reader entry whose name part the reader's name contains, else the default.</summary>
    public PassThroughMode PassThroughFor(string readerName)
    {
        foreach (var (reader, mode) in ReaderPassThrough)
        {
            if (readerName.Contains(reader, StringComparison.OrdinalIgnoreCase))
            {
                return mode;
            }
        }

        return PassThrough;
    }
}
