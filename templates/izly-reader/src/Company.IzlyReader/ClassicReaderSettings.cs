using System.Globalization;
using Middleware.Plugins.Sdk.Pcsc;

namespace Company.IzlyReader;

/// <summary>
/// The plugin's <c>settings</c> object in plugins.json, e.g.
/// <c>{ "keyA": "A0A1A2A3A4A5", "atrPatterns": ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 *"], "readerNamePattern": "OMNIKEY", "readTimeoutMs": 3000 }</c>.
/// <c>readerNamePattern</c> and <c>readTimeoutMs</c> are the SDK's common <see cref="PcscCardSettings"/>.
/// </summary>
internal sealed class ClassicReaderSettings
{
    /// <summary>The 1K pseudo-ATR (PC/SC Part 3, standard 03, card name 0001), any check byte.</summary>
    public const string Classic1KPattern = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 *";

    /// <summary>The 4K pseudo-ATR (card name 0002).</summary>
    public const string Classic4KPattern = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 02 *";

    /// <summary>Key A of the ZDC's sector: 12 hexadecimal digits. Required. A fixed key is for test cards and closed
    /// sites: real Izly cards have a key diversified per card by the SAM (cards.md §2).</summary>
    public string? KeyA { get; set; }

    /// <summary>The ATRs this plugin claims (hex bytes, <c>..</c> any byte, a final <c>*</c> any tail). Default: the
    /// Classic 1K and 4K pseudo-ATRs.</summary>
    public string[]? AtrPatterns { get; set; } = [Classic1KPattern, Classic4KPattern];

    /// <summary>The checked values. Throws <see cref="ArgumentException"/> naming the bad setting (never its value
    /// when it is the key).</summary>
    public ValidatedClassicReaderSettings Validate()
    {
        if (KeyA is not { Length: 12 } || !ulong.TryParse(KeyA, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException("Setting keyA must be 12 hexadecimal digits (the 6-byte key A of the ZDC's sector).");
        }

        if (AtrPatterns is not { Length: > 0 and <= 16 })
        {
            throw new ArgumentException("Setting atrPatterns must list 1 to 16 ATR patterns.");
        }

        // AtrPattern.Parse names the bad token.
        var patterns = AtrPatterns.Select(p => AtrPattern.Parse(p ?? string.Empty)).ToArray();
        return new ValidatedClassicReaderSettings(Convert.FromHexString(KeyA), patterns);
    }
}

/// <summary>Checked <see cref="ClassicReaderSettings"/>. Holds the key: never printed, wiped on stop.</summary>
internal sealed class ValidatedClassicReaderSettings(byte[] keyA, IReadOnlyList<AtrPattern> atrPatterns) : IDisposable
{
    public ReadOnlyMemory<byte> KeyA => keyA;

    public IReadOnlyList<AtrPattern> AtrPatterns { get; } = atrPatterns;

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

    public void Dispose() => Array.Clear(keyA);

    public override string ToString() => $"{AtrPatterns.Count} ATR pattern(s), key A set";
}
