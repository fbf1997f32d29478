using System.Globalization;

namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>
/// An ATR pattern as a setting: hexadecimal bytes separated by spaces, <c>..</c> for any byte, and a final <c>*</c>
/// for any tail, e.g. <c>3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 *</c>. Real ATRs vary between readers and card
/// batches, so plugins take their patterns from settings, with defaults.
/// </summary>
public sealed class AtrPattern
{
    private readonly byte?[] _bytes;
    private readonly bool _openTail;

    private AtrPattern(byte?[] bytes, bool openTail, string text)
    {
        _bytes = bytes;
        _openTail = openTail;
        Text = text;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="pattern"/>; throws <see cref="ArgumentException"/> naming the bad token.</summary>
    /// <param name="pattern">The pattern text.</param>
    public static AtrPattern Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var tokens = pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Length is 0 or > 34)
        {
            throw new ArgumentException($"ATR pattern '{pattern}' must have 1 to 33 bytes.", nameof(pattern));
        }

        var openTail = tokens[^1] == "*";
        var count = openTail ? tokens.Length - 1 : tokens.Length;
        var bytes = new byte?[count];
        for (var i = 0; i < count; i++)
        {
            var token = tokens[i];
            if (token == "..")
            {
                continue;
            }

            if (token.Length != 2 || !byte.TryParse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"ATR pattern '{pattern}': '{token}' is not a byte in hexadecimal, '..' or a final '*'.", nameof(pattern));
            }

            bytes[i] = value;
        }

        return new AtrPattern(bytes, openTail, pattern);
    }

    /// <summary>True when <paramref name="atr"/> fits the pattern.</summary>
    /// <param name="atr">An ATR.</param>
    public bool Matches(ReadOnlySpan<byte> atr)
    {
        if (atr.Length < _bytes.Length || (!_openTail && atr.Length != _bytes.Length))
        {
            return false;
        }

        for (var i = 0; i < _bytes.Length; i++)
        {
            if (_bytes[i] is { } b && atr[i] != b)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
