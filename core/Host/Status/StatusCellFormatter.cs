using System.Globalization;
using System.Text.Json;

namespace Middleware.Host.Status;

/// <summary>
/// A snapshot value as the page prints it (plain text, to be HTML-encoded by the caller). The page's script formats
/// alike (<see cref="StatusPageHtml"/>), so the first render and the refreshes read the same.
/// </summary>
internal static class StatusCellFormatter
{
    public const string Missing = "—";

    public static string Format(JsonElement value, CellFormat format)
    {
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return Missing;
        }

        switch (format)
        {
            case CellFormat.Money when value.TryGetDecimal(out var money):
                return money.ToString("0.00", CultureInfo.InvariantCulture);
            case CellFormat.Seconds when value.TryGetDouble(out var seconds):
                return Duration(seconds);
            case CellFormat.Time when value.ValueKind == JsonValueKind.String:
                var text = value.GetString()!;
                return (text.Length > 19 ? text[..19] : text).Replace('T', ' ');
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => "oui",
            JsonValueKind.False => "non",
            JsonValueKind.Number => Number(value),
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Array => value.GetArrayLength() == 0 ? Missing : string.Join(", ", value.EnumerateArray().Select(Item)),
            JsonValueKind.Object => Item(value),
            _ => value.GetRawText(),
        };
    }

    /// <summary>An item of a list: an object reads "first: second / third" (a payment code: count / amount).</summary>
    private static string Item(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Format(item, CellFormat.Text);
        }

        var values = item.EnumerateObject().Select(p => Format(p.Value, CellFormat.Text)).ToList();
        return values.Count > 1 ? values[0] + ": " + string.Join(" / ", values.Skip(1)) : string.Concat(values);
    }

    private static string Number(JsonElement value) =>
        value.TryGetDecimal(out var d)
            ? d == decimal.Truncate(d) ? d.ToString("0", CultureInfo.InvariantCulture) : d.ToString("0.00", CultureInfo.InvariantCulture)
            : value.GetRawText();

    public static string Duration(double seconds)
    {
        var s = (long)Math.Floor(seconds + 0.5);
        return s switch
        {
            < 60 => $"{s} s",
            < 3600 => $"{s / 60} min {s % 60:00} s",
            < 86400 => $"{s / 3600} h {s % 3600 / 60:00} min",
            _ => $"{s / 86400} j {s % 86400 / 3600} h",
        };
    }
}
