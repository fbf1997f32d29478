using System.ComponentModel;

namespace Middleware.Scripting.Runtime;

/// <summary>
/// What a script's <c>string.Join</c> and <c>string.Concat</c> calls are compiled into: the same overloads, but the
/// parts are counted (a step each) and their total length is checked against the budget before the string is
/// allocated, so a join of a million references to one long string fails cleanly instead of allocating gigabytes.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScriptBudgetJoins
{
    public static string Join(string? separator, IEnumerable<string?> values) => Checked(separator, values);

    public static string Join<T>(string? separator, IEnumerable<T> values) => Checked(separator, values.Select(v => v?.ToString()));

    public static string Join(char separator, IEnumerable<string?> values) => Checked(separator.ToString(), values);

    public static string Join<T>(char separator, IEnumerable<T> values) => Checked(separator.ToString(), values.Select(v => v?.ToString()));

    public static string Join(string? separator, params string?[] values) => Checked(separator, values);

    public static string Join(string? separator, params object?[] values) => Checked(separator, values.Select(v => v?.ToString()));

    public static string Join(char separator, params string?[] values) => Checked(separator.ToString(), values);

    public static string Join(char separator, params object?[] values) => Checked(separator.ToString(), values.Select(v => v?.ToString()));

    public static string Join(string? separator, string?[] values, int startIndex, int count) =>
        Checked(separator, values.Skip(startIndex).Take(ScriptBudget.Count(count)));

    public static string Concat(IEnumerable<string?> values) => Checked(null, values);

    public static string Concat<T>(IEnumerable<T> values) => Checked(null, values.Select(v => v?.ToString()));

    public static string Concat(params string?[] values) => Checked(null, values);

    public static string Concat(params object?[] values) => Checked(null, values.Select(v => v?.ToString()));

    private static string Checked(string? separator, IEnumerable<string?> values)
    {
        var parts = new List<string?>();
        long total = 0;
        foreach (var value in values)
        {
            ScriptBudget.Tick();
            total += (value?.Length ?? 0) + (parts.Count > 0 ? separator?.Length ?? 0 : 0);
            ScriptBudget.Length(total);
            parts.Add(value);
        }

        return string.Join(separator, parts);
    }
}
