using System.Globalization;

namespace Middleware.Domain.Configuration;

/// <summary>How a start-time check quotes a setting's value in its message.</summary>
public static class SettingText
{
    private const int MaxLength = 120;

    /// <summary>The value as a message may quote it: bounded, control characters escaped (a value from the environment or
    /// the command line could carry a line break that forges a log line). Never pass a secret's value here.</summary>
    public static string Printable(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var text = value.Length > MaxLength ? value[..MaxLength] + "…" : value;
        return text.Any(char.IsControl)
            ? string.Concat(text.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString()))
            : text;
    }
}
