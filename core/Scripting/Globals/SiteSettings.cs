using System.Collections.Frozen;
using System.Globalization;

namespace Middleware.Scripting.Globals;

/// <summary>
/// The settings of a site, from <c>site.json</c> files (defaults at the scripts root, then each folder of the site
/// overriding). Nested objects are flattened with dots: <c>{"eveningPrice": {"1201": 2.5}}</c> is the key
/// <c>eveningPrice.1201</c>. Keys are case-insensitive. A malformed value fails with a message naming the key and file.
/// </summary>
public sealed class SiteSettings
{
    private readonly FrozenDictionary<string, string> values;

    public SiteSettings(string site, IReadOnlyDictionary<string, string> values, string source = "site.json")
    {
        Site = site;
        Source = source;
        this.values = values.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The site folder under <c>scripts/sites</c> (empty for the defaults).</summary>
    public string Site { get; }

    /// <summary>The files the settings came from, for messages.</summary>
    public string Source { get; }

    public IEnumerable<string> Keys => values.Keys;

    public bool Has(string key) => values.ContainsKey(key);

    public string? Text(string key) => values.TryGetValue(key, out var v) ? v : null;

    public string Text(string key, string defaultValue) => Text(key) ?? defaultValue;

    public decimal? TryDecimal(string key) => Text(key) is { } v ? ParseDecimal(key, v) : null;

    public decimal Decimal(string key, decimal defaultValue) => TryDecimal(key) ?? defaultValue;

    public int? TryInt(string key) => Text(key) is { } v ? ParseInt(key, v) : null;

    public int Int(string key, int defaultValue) => TryInt(key) ?? defaultValue;

    public bool Flag(string key, bool defaultValue) => Text(key) switch
    {
        null => defaultValue,
        var v when bool.TryParse(v, out var b) => b,
        var v => throw Bad(key, v, "true or false"),
    };

    /// <summary>A time of day written <c>HH:mm</c> (e.g. <c>18:30</c>).</summary>
    public TimeOnly Time(string key, TimeOnly defaultValue) => Text(key) switch
    {
        null => defaultValue,
        var v when TimeOnly.TryParseExact(v, ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) => t,
        var v => throw Bad(key, v, "a time of day like 18:30"),
    };

    /// <summary>A list of integers written <c>"1, 2, 3"</c> or as a JSON array.</summary>
    public IReadOnlyList<int> Ints(string key) => Text(key) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => ParseInt(key, p)).ToArray()
        : [];

    private decimal ParseDecimal(string key, string v) =>
        decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : throw Bad(key, v, "a number like 2.50 (dot as decimal separator)");

    private int ParseInt(string key, string v) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Bad(key, v, "a whole number");

    private ScriptRuleException Bad(string key, string value, string expected) =>
        new($"Site setting '{key}' is '{value}' but must be {expected}: fix it in {Source}.");
}
