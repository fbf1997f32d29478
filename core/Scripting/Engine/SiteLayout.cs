using System.Globalization;
using System.Text.Json;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;

namespace Middleware.Scripting.Engine;

/// <summary>A resolved site: which script files price and map it, its settings and its catalogue.</summary>
internal sealed record SiteContext(string Key, string PricingPath, string MappingPath, SiteSettings Settings, IPriceCatalog Catalog, IPriceCatalog? LocalPrices, bool UsesVem)
{
    /// <summary>The site's catalogue over the VEM data of the calling point of sale (<paramref name="vem"/>; null: the
    /// engine's own). A site folder may serve several points of sale, each with its own VEM data.</summary>
    public IPriceCatalog CatalogFor(IPriceCatalog? vem) => vem is null || !UsesVem
        ? Catalog
        : LocalPrices is { } local ? new LayeredPriceCatalog(local, vem) : vem;
}

/// <summary>
/// The scripts folder layout:
/// <code>
/// scripts/pricing.csx  mapping.csx  site.json  [prices.json]        defaults
/// scripts/sites/crous-5/             [pricing.csx] [site.json] ...   a Crous's overrides
/// scripts/sites/crous-5/ru-9/        [pricing.csx] [site.json] [prices.json] [tests/*.cases.json]
/// </code>
/// The nearest file wins for scripts and <c>prices.json</c>; <c>site.json</c> files merge, nearest key wins.
/// <c>priceSource</c> in site.json: <c>vem</c> (default), <c>local</c> (prices.json only) or <c>local+vem</c>
/// (prices.json over VEM's data).
/// </summary>
internal static class SiteLayout
{
    public const string PricingFile = "pricing.csx";
    public const string MappingFile = "mapping.csx";
    public const string SettingsFile = "site.json";
    public const string PricesFile = "prices.json";

    public static SiteContext Resolve(string root, string? site, IPriceCatalog vemCatalog)
    {
        var key = Normalize(site);
        var chain = Chain(root, key);
        var pricing = Nearest(chain, PricingFile) ?? throw new FileNotFoundException($"No {PricingFile} for site '{key}' in {root} or its site folders.");
        var mapping = Nearest(chain, MappingFile) ?? throw new FileNotFoundException($"No {MappingFile} for site '{key}' in {root} or its site folders.");
        var settings = LoadSettings(key, chain);
        var source = settings.Text("priceSource", "vem").ToLowerInvariant();
        var pricesPath = Nearest(chain, PricesFile);
        IPriceCatalog? local = source switch
        {
            "vem" => null,
            "local" or "local+vem" => LocalPriceList.Load(pricesPath ?? throw MissingPrices(key, source)),
            _ => throw new ScriptRuleException($"Site setting 'priceSource' is '{source}' but must be vem, local or local+vem: fix it in {settings.Source}."),
        };
        IPriceCatalog catalog = source switch
        {
            "vem" => vemCatalog,
            "local" => local!,
            _ => new LayeredPriceCatalog(local!, vemCatalog),
        };
        return new SiteContext(key, pricing, mapping, settings, catalog, local, source != "local");
    }

    /// <summary>"crous-5/ru-9" → ["", "crous-5", "crous-5/ru-9"] as folders.</summary>
    public static IReadOnlyList<string> Chain(string root, string key)
    {
        var folders = new List<string> { root };
        if (key.Length == 0)
        {
            return folders;
        }

        var current = Path.Combine(root, "sites");
        foreach (var part in key.Split('/'))
        {
            current = Path.Combine(current, part);
            folders.Add(current);
        }

        if (!Directory.Exists(current))
        {
            throw new DirectoryNotFoundException($"Site folder '{key}' does not exist: expected {current}.");
        }

        return folders;
    }

    public static string Normalize(string? site)
    {
        var key = (site ?? "").Replace('\\', '/').Trim('/');
        if (key.Split('/').Any(p => p is ".." or "." || p.Length == 0 && key.Length > 0) || Path.IsPathRooted(key))
        {
            throw new ArgumentException($"Script site '{site}' must be a relative folder under scripts/sites, like crous-5/ru-9.", nameof(site));
        }

        return key;
    }

    public static string? Nearest(IReadOnlyList<string> chain, string file)
    {
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var path = Path.Combine(chain[i], file);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    public static SiteSettings LoadSettings(string key, IReadOnlyList<string> chain)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var sources = new List<string>();
        foreach (var folder in chain)
        {
            var path = Path.Combine(folder, SettingsFile);
            if (!File.Exists(path))
            {
                continue;
            }

            sources.Add(path);
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                Flatten(doc.RootElement, "", values);
            }
            catch (JsonException ex)
            {
                throw new ScriptRuleException($"{path}:{(ex.LineNumber ?? 0) + 1}: site settings are not valid JSON: {ex.Message}");
            }
        }

        return new SiteSettings(key, values, sources.Count == 0 ? "(no site.json)" : string.Join(" + ", sources));
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    Flatten(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, values);
                }

                break;
            case JsonValueKind.Array:
                values[prefix] = string.Join(",", element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()));
                break;
            case JsonValueKind.String:
                values[prefix] = element.GetString()!;
                break;
            case JsonValueKind.Null:
                values.Remove(prefix);
                break;
            default:
                values[prefix] = element.GetRawText().ToString(CultureInfo.InvariantCulture);
                break;
        }
    }

    private static ScriptRuleException MissingPrices(string key, string source) =>
        new($"Site '{key}' has priceSource '{source}' but no {PricesFile} in its folders: add one or set priceSource to vem.");
}
