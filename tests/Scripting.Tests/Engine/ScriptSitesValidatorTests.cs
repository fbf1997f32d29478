using Microsoft.Extensions.Options;
using Middleware.Domain.PointsOfSale;
using Middleware.Scripting.Engine;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>The script sites of the points of sale checked at start, over a real scripts folder.</summary>
public sealed class ScriptSitesValidatorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mw-script-sites-").FullName;

    public ScriptSitesValidatorTests()
    {
        // crous-5/ru-9 has its own pricing; crous-5/ru-12 inherits crous-5's; crous-6/ru-1 has none anywhere above it.
        Directory.CreateDirectory(Path.Combine(root, "sites", "crous-5", "ru-9"));
        Directory.CreateDirectory(Path.Combine(root, "sites", "crous-5", "ru-12"));
        Directory.CreateDirectory(Path.Combine(root, "sites", "crous-6", "ru-1"));
        File.WriteAllText(Path.Combine(root, "sites", "crous-5", "ru-9", "pricing.csx"), "");
        File.WriteAllText(Path.Combine(root, "sites", "crous-5", "pricing.csx"), "");
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private IReadOnlyList<string> Failures(params string?[] sites) =>
        new ScriptSitesValidator(Options.Create(new ScriptingOptions { ScriptsRoot = root }))
            .Validate(null, [.. sites.Select((s, i) => new PointOfSaleOptions { Id = $"5-1-9-8-{i + 1}", ScriptSite = s })]).Failures?.ToList() ?? [];

    [Fact]
    public void A_site_with_its_own_or_an_inherited_pricing_script_passes()
    {
        Assert.Empty(Failures("crous-5/ru-9", "crous-5/ru-12", "crous-5/ru-9/"));
    }

    [Fact]
    public void Each_bad_site_is_named_by_its_point_of_sale_with_its_value()
    {
        var failures = Failures("crous-5/ru-9", "crous-5/ru-404", "crous-6/ru-1", "../etc", null);

        Assert.Equal(
        [
            $"PointsOfSale:1:ScriptSite: 'crous-5/ru-404' is not a folder of {Path.Combine(root, "sites")} (Scripting:ScriptsRoot).",
            $"PointsOfSale:2:ScriptSite: 'crous-6/ru-1' has no pricing.csx, nor does any folder above it up to {root} (Scripting:ScriptsRoot).",
            "PointsOfSale:3:ScriptSite: '../etc' must be a relative folder under the scripts' sites/, like crous-5/ru-9.",
            // No site: the root's defaults price it, and this root has none.
            $"PointsOfSale:4:ScriptSite: '' has no pricing.csx, nor does any folder above it up to {root} (Scripting:ScriptsRoot).",
        ], failures);
    }

    [Fact]
    public void The_repository_scripts_serve_the_sandbox_sites()
    {
        var scripts = TestScripts.RepositoryScripts;
        var validator = new ScriptSitesValidator(Options.Create(new ScriptingOptions { ScriptsRoot = scripts }));

        Assert.True(validator.Validate(null, [new() { Id = "5-1-9-8-14", ScriptSite = "crous-5/ru-9" }, new() { Id = "5-1-12-3-1", ScriptSite = "crous-5/ru-12" }]).Succeeded);
    }

    [Fact]
    public void A_missing_scripts_root_and_non_positive_budgets_are_named_by_the_scripting_check()
    {
        var missing = Path.Combine(root, "nowhere");

        var failures = new ScriptingOptionsValidator().Validate(null, new ScriptingOptions { ScriptsRoot = missing, MaxSteps = 0, DefaultTimeZone = "Nowhere/City" }).Failures!.ToList();

        Assert.Equal(
        [
            $"Scripting:ScriptsRoot: '{missing}' is not a folder (resolved to {missing}).",
            "Scripting:MaxSteps: '0' must be positive.",
            "Scripting:DefaultTimeZone: 'Nowhere/City' is not a time zone of this system (an IANA name such as Europe/Paris).",
        ], failures);
    }
}
