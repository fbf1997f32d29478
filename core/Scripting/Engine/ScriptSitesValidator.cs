using System.Globalization;
using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using static Middleware.Domain.Configuration.SettingText;

namespace Middleware.Scripting.Engine;

/// <summary>
/// Checks at start that every point of sale's <c>ScriptSite</c> is a folder under <c>Scripting:ScriptsRoot</c>'s
/// <c>sites/</c> and that a pricing script applies to it (its own or an inherited one; without a site, the root's), as <see cref="SiteLayout"/>
/// resolves them. Otherwise the first sale of that till would fail, hours after the host started.
/// </summary>
internal sealed class ScriptSitesValidator(IOptions<ScriptingOptions> scripting) : IValidateOptions<List<PointOfSaleOptions>>
{
    public ValidateOptionsResult Validate(string? name, List<PointOfSaleOptions> options)
    {
        var root = scripting.Value.ResolvedRoot;
        if (!Directory.Exists(root))
        {
            // ScriptingOptionsValidator names the missing root once; a message per site would only repeat it.
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        for (var i = 0; i < options.Count; i++)
        {
            // No site: the defaults at the root price the point of sale.
            var site = options[i].ScriptSite ?? "";
            var setting = string.Create(CultureInfo.InvariantCulture, $"{PointsOfSaleValidator.Section}:{i}:ScriptSite");
            if (Problem(root, site) is { } problem)
            {
                failures.Add($"{setting}: '{Printable(site)}' {problem}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? Problem(string root, string site)
    {
        string key;
        try
        {
            key = SiteLayout.Normalize(site);
        }
        catch (ArgumentException)
        {
            return "must be a relative folder under the scripts' sites/, like crous-5/ru-9.";
        }

        IReadOnlyList<string> chain;
        try
        {
            chain = SiteLayout.Chain(root, key);
        }
        catch (DirectoryNotFoundException)
        {
            return $"is not a folder of {Path.Combine(root, "sites")} (Scripting:ScriptsRoot).";
        }

        return SiteLayout.Nearest(chain, SiteLayout.PricingFile) is null
            ? $"has no {SiteLayout.PricingFile}, nor does any folder above it up to {root} (Scripting:ScriptsRoot)."
            : null;
    }
}
