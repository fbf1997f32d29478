using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Middleware.Cli;

/// <summary>A plain-text table for a terminal: left-aligned columns, one header row, long cells cut with an ellipsis.</summary>
internal sealed class TextTable(params string[] headers)
{
    private const int MaxCell = 60;
    private readonly List<string[]> rows = [];

    public int Count => rows.Count;

    public void Add(params string?[] cells) => rows.Add([.. cells.Select(c => Cut(c ?? "-"))]);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        foreach (var row in rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.AppendLine();
    }

    private static string Cut(string cell)
    {
        var one = cell.ReplaceLineEndings(" ");
        return one.Length <= MaxCell ? one : one[..(MaxCell - 1)] + "…";
    }
}

/// <summary>Reads the middleware's JSON answers whatever the case of their property names.</summary>
internal static class Json
{
    public static JsonElement? Get(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var p in e.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value.ValueKind == JsonValueKind.Null ? null : p.Value;
            }
        }

        return null;
    }

    /// <summary>The value as text (numbers invariant, dates as given); null when absent or null.</summary>
    public static string? Text(this JsonElement e, string name) => e.Get(name) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
        : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.Get(name) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];

    /// <summary>An ISO date as local-independent <c>yyyy-MM-dd HH:mm:ss zzz</c>, or the text as given.</summary>
    public static string? Date(this JsonElement e, string name) =>
        e.Text(name) is { } t && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)
            : e.Text(name);
}
