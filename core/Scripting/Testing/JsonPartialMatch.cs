using System.Text.Json;

namespace Middleware.Scripting.Testing;

/// <summary>
/// Compares a produced JSON value with an expected one where only the named fields count: an object's other fields
/// are ignored, an array must have as many elements (a missing or extra ticket line matters), numbers compare as
/// decimals (3.3 = 3.30). Each difference is one line: path, expected, got.
/// </summary>
internal static class JsonPartialMatch
{
    public static void Compare(JsonElement expected, JsonElement got, string path, List<string> problems)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (got.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path,-32} expected an object   got {Show(got)}");
                    return;
                }

                foreach (var field in expected.EnumerateObject())
                {
                    var at = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
                    if (got.TryGetProperty(field.Name, out var value))
                    {
                        Compare(field.Value, value, at, problems);
                    }
                    else if (field.Value.ValueKind != JsonValueKind.Null)
                    {
                        problems.Add($"{at,-32} expected {Show(field.Value)}   got (absent)");
                    }
                }

                return;
            case JsonValueKind.Array:
                if (got.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{path,-32} expected a list   got {Show(got)}");
                    return;
                }

                var wanted = expected.EnumerateArray().ToList();
                var items = got.EnumerateArray().ToList();
                for (var i = 0; i < Math.Max(wanted.Count, items.Count); i++)
                {
                    var at = $"{path}[{i}]";
                    if (i >= items.Count)
                    {
                        problems.Add($"{at,-32} expected {Show(wanted[i])}   got (missing)");
                    }
                    else if (i >= wanted.Count)
                    {
                        problems.Add($"{at,-32} unexpected {Show(items[i])}");
                    }
                    else
                    {
                        Compare(wanted[i], items[i], at, problems);
                    }
                }

                return;
            case JsonValueKind.Number:
                if (got.ValueKind != JsonValueKind.Number || expected.GetDecimal() != got.GetDecimal())
                {
                    problems.Add($"{path,-32} expected {Show(expected)}   got {Show(got)}");
                }

                return;
            default:
                if (expected.ValueKind != got.ValueKind || expected.GetRawText() != got.GetRawText())
                {
                    problems.Add($"{path,-32} expected {Show(expected)}   got {Show(got)}");
                }

                return;
        }
    }

    private static string Show(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length <= 120 ? text : text[..120] + "…";
    }
}
