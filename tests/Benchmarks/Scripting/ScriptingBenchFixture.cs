using Microsoft.Extensions.Options;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;

namespace Middleware.Benchmarks.Scripting;

/// <summary>A private copy of the repository's scripts folder and engines over it.</summary>
internal static class ScriptingBenchFixture
{
    public static string RepositoryScripts { get; } = Find();

    public static string CopyScripts()
    {
        var root = Path.Combine(Path.GetTempPath(), "mw-bench-scripts-" + Guid.NewGuid().ToString("N"));
        Copy(RepositoryScripts, root);
        return root;
    }

    public static IPriceCatalog Catalog { get; } = LocalPriceList.Load(Path.Combine(RepositoryScripts, "tests", "catalog.json"));

    public static ScriptEngine Engine(string root, string? cache) => new(
        Options.Create(new ScriptingOptions { ScriptsRoot = root, WatchForChanges = false, CacheDirectory = cache, UseCompileCache = cache is not null }),
        TimeProvider.System, null, Catalog);

    /// <summary>A realistic basket: a student with a loyalty account, a set menu and a drink, €1 meal eligible.</summary>
    public static PricingRequest Request { get; } = new()
    {
        Basket = new Basket
        {
            Lines =
            [
                new BasketLine { CodeArticle = 2001, Components = [new BasketLine { CodeArticle = 1001 }, new BasketLine { CodeArticle = 1201 }, new BasketLine { CodeArticle = 1301 }] },
                new BasketLine { CodeArticle = 1501 },
            ],
        },
        Customer = new CustomerProfile { CodeSociete = 10, CodeTarif = 1, CodeClient = "C-1", OneEuroMealEligible = true },
        At = new DateTimeOffset(2026, 11, 26, 11, 15, 0, TimeSpan.Zero),
    };

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "scripts", "pricing.csx")) && File.Exists(Path.Combine(dir.FullName, "Middleware.sln")))
                {
                    return Path.Combine(dir.FullName, "scripts");
                }
            }
        }

        throw new InvalidOperationException("Run the benchmarks from inside the repository (scripts/pricing.csx not found).");
    }
}
