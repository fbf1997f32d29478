using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;

namespace Middleware.Scripting.Testing;

/// <summary>Outcome of a test run: counts and the exit code <c>mwctl</c> returns (0 all passed, 1 a case failed,
/// 2 the script or the cases could not be used).</summary>
public sealed record ScriptTestReport(int Passed, int Failed, int ExitCode);

/// <summary>
/// Runs a pricing script against a cases file, locally (no host, no VEM): what <c>mwctl script test</c> does. A cases
/// file with <c>"kind": "mapping"</c> tests the ticket mapping instead (<see cref="MappingTestRunner"/>).
/// Output is written for regional IT staff: what differs, where, and what to do.
/// </summary>
public static class ScriptTestRunner
{
    public const int ExitPassed = 0;
    public const int ExitFailed = 1;
    public const int ExitError = 2;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <param name="scriptOrSiteFolder">A <c>.csx</c> pricing script, or a site folder (or the scripts root).</param>
    /// <param name="casesFile">A <c>*.cases.json</c> file.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="cacheDirectory">Compile cache folder (null: the installation's, <c>data/script-cache</c> beside the
    /// scripts folder; "" disables it).</param>
    public static ScriptTestReport Run(string scriptOrSiteFolder, string casesFile, TextWriter output, string? cacheDirectory = null)
    {
        try
        {
            return RunCore(scriptOrSiteFolder, casesFile, output, cacheDirectory);
        }
        catch (Exception ex) when (ex is IOException or JsonException or PriceListException or ScriptRuleException or UnauthorizedAccessException or ArgumentException)
        {
            output.WriteLine($"ERROR  {ex.Message}");
            return new ScriptTestReport(0, 0, ExitError);
        }
    }

    private static ScriptTestReport RunCore(string target, string casesFile, TextWriter output, string? cacheDirectory)
    {
        var targetPath = Path.GetFullPath(target);
        if (File.Exists(targetPath) && ScriptEngine.KindOf(targetPath) == Compilation.ScriptKind.Mapping)
        {
            // A mapping.csx given: its site folder (the mapping runs as the host runs it, on the site's priced sale).
            targetPath = Path.GetDirectoryName(targetPath)!;
        }

        var isFile = File.Exists(targetPath);
        if (!isFile && !Directory.Exists(targetPath))
        {
            output.WriteLine($"ERROR  '{target}' is neither a script file nor a folder. Give a pricing .csx file or a site folder such as scripts/sites/crous-5/ru-9.");
            return new ScriptTestReport(0, 0, ExitError);
        }

        if (!File.Exists(casesFile))
        {
            output.WriteLine($"ERROR  cases file '{casesFile}' not found.");
            return new ScriptTestReport(0, 0, ExitError);
        }

        ScriptTestFile cases;
        MappingTestFile? mapping = null;
        try
        {
            var text = File.ReadAllText(casesFile);
            using (var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
            {
                // "kind": "mapping" makes it a mapping cases file (sales and the expected VEM tickets).
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("kind", out var kind)
                    && string.Equals(kind.GetString(), "mapping", StringComparison.OrdinalIgnoreCase))
                {
                    mapping = JsonSerializer.Deserialize<MappingTestFile>(text, Json) ?? new MappingTestFile();
                }
            }

            cases = mapping is null
                ? JsonSerializer.Deserialize<ScriptTestFile>(text, Json) ?? new ScriptTestFile()
                : new ScriptTestFile { Catalog = mapping.Catalog, TimeZone = mapping.TimeZone };
        }
        catch (JsonException ex)
        {
            output.WriteLine($"ERROR  {casesFile}:{(ex.LineNumber ?? 0) + 1}: the cases file is not valid: {ex.Message}");
            return new ScriptTestReport(0, 0, ExitError);
        }

        var folder = isFile ? Path.GetDirectoryName(targetPath)! : targetPath;
        var (root, site) = FindRoot(folder);
        var catalog = LoadCatalog(cases, casesFile, root, site);
        var options = new ScriptingOptions
        {
            ScriptsRoot = root,
            WatchForChanges = false,
            UseCompileCache = cacheDirectory != "",
            // By default the installation's cache (beside the scripts folder), as the host would use it.
            CacheDirectory = string.IsNullOrEmpty(cacheDirectory)
                ? Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root)) ?? root, ScriptingOptions.DefaultCacheDirectory)
                : cacheDirectory,
        };
        using var engine = new ScriptEngine(Options.Create(options), TimeProvider.System, null, catalog)
        {
            PricingScriptOverride = isFile ? targetPath : null,
        };

        var scriptPath = isFile ? targetPath : SiteLayout.Nearest(SiteLayout.Chain(root, site), SiteLayout.PricingFile)
            ?? throw new IOException($"No {SiteLayout.PricingFile} for '{target}' or its parent folders.");
        output.WriteLine($"Script  {scriptPath}");
        output.WriteLine($"Site    {(site.Length == 0 ? "(defaults)" : site)}   Cases {casesFile}");
        var handle = engine.HandleFor(scriptPath);
        if (!engine.Reload(handle))
        {
            output.WriteLine("ERROR  the script was refused; fix these and run again:");
            foreach (var e in handle.Errors)
            {
                output.WriteLine($"  {e}");
            }

            return new ScriptTestReport(0, 0, ExitError);
        }

        if (mapping is not null)
        {
            var mappingPath = SiteLayout.Nearest(SiteLayout.Chain(root, site), SiteLayout.MappingFile)
                ?? throw new IOException($"No {SiteLayout.MappingFile} for '{target}' or its parent folders.");
            var mappingHandle = engine.HandleFor(mappingPath);
            if (!engine.Reload(mappingHandle))
            {
                output.WriteLine($"ERROR  the mapping script {mappingPath} was refused; fix these and run again:");
                foreach (var e in mappingHandle.Errors)
                {
                    output.WriteLine($"  {e}");
                }

                return new ScriptTestReport(0, 0, ExitError);
            }

            return MappingTestRunner.Run(engine, site, mapping, catalog, output);
        }

        output.WriteLine();
        int passed = 0, failed = 0;
        foreach (var c in cases.Cases)
        {
            var problems = RunCase(engine, site, cases.TimeZone, c, out var notes);
            if (problems.Count == 0)
            {
                passed++;
                output.WriteLine($"PASS  {c.Name}");
            }
            else
            {
                failed++;
                output.WriteLine($"FAIL  {c.Name}");
                foreach (var p in problems)
                {
                    output.WriteLine("      " + p);
                }
            }

            foreach (var n in notes)
            {
                output.WriteLine("      note: " + n);
            }
        }

        output.WriteLine();
        output.WriteLine(failed == 0
            ? $"{passed} case(s) passed."
            : $"{failed} of {passed + failed} case(s) FAILED. Lines marked 'expected' are from the cases file, 'got' from the script.");
        return new ScriptTestReport(passed, failed, failed == 0 ? ExitPassed : ExitFailed);
    }

    private static List<string> RunCase(ScriptEngine engine, string site, string? timeZone, ScriptTestCase c, out IReadOnlyList<string> notes)
    {
        var problems = new List<string>();
        notes = [];
        PricingResult result;
        try
        {
            result = engine.Price(new PricingRequest
            {
                Site = site,
                TimeZone = timeZone,
                Basket = new Basket { Lines = c.Basket },
                Customer = c.Customer,
                PaymentCode = PaymentCode(c.Payment),
                At = c.At == default ? throw new ArgumentException($"Case '{c.Name}' has no \"at\" (the time of the sale, e.g. 2026-11-26T12:15:00+01:00).") : c.At,
            });
        }
        catch (MiddlewareException ex)
        {
            if (c.ExpectError is { } expected && ex.Message.Contains(expected, StringComparison.OrdinalIgnoreCase))
            {
                return problems;
            }

            problems.Add(c.ExpectError is null ? $"the script failed: {ex.Message}" : $"expected an error containing '{c.ExpectError}', got: {ex.Message}");
            return problems;
        }

        notes = result.Notes;
        if (c.ExpectError is not null)
        {
            problems.Add($"expected an error containing '{c.ExpectError}', but the basket was priced at {Money(result.TotalTtc)}.");
            return problems;
        }

        var expect = c.Expect ?? new ScriptTestExpectation();
        if (expect.Lines is { } lines)
        {
            for (var i = 0; i < Math.Max(lines.Count, result.Lines.Count); i++)
            {
                if (i >= result.Lines.Count)
                {
                    problems.Add($"missing line {i + 1}: expected article {lines[i].CodeArticle}{Describe(lines[i])}");
                    continue;
                }

                var got = result.Lines[i];
                if (i >= lines.Count)
                {
                    problems.Add($"unexpected line {i + 1}: article {got.CodeArticle} '{got.Label}' x{got.Quantity} at {Money(got.UnitPriceTtc)} (VAT code {got.CodeTva})");
                    continue;
                }

                var want = lines[i];
                var head = $"line {i + 1} (article {got.CodeArticle} '{got.Label}'):";
                Compare(problems, head, "article", want.CodeArticle, got.CodeArticle);
                Compare(problems, head, "quantity", want.Quantity, got.Quantity);
                Compare(problems, head, "unit price TTC", want.UnitPriceTtc, got.UnitPriceTtc);
                Compare(problems, head, "unit price HT", want.UnitPriceHt, got.UnitPriceHt);
                Compare(problems, head, "VAT code", want.CodeTva, got.CodeTva);
                Compare(problems, head, "kind", want.Kind, got.Kind);
                Compare(problems, head, "loyalty points", want.LoyaltyPoints, got.LoyaltyPoints ?? 0);
            }
        }

        Compare(problems, "ticket:", "total TTC", expect.TotalTtc, result.TotalTtc);
        Compare(problems, "ticket:", "loyalty points", expect.LoyaltyPoints, result.LoyaltyPoints);
        return problems;
    }

    private static void Compare<T>(List<string> problems, string head, string what, T? expected, T got)
    {
        if (expected is null || EqualityComparer<T>.Default.Equals(expected, got))
        {
            return;
        }

        problems.Add($"{head} {what,-15} expected {Show(expected)}   got {Show(got)}");
    }

    private static void Compare<T>(List<string> problems, string head, string what, T? expected, T got) where T : struct
    {
        if (expected is null || EqualityComparer<T>.Default.Equals(expected.Value, got))
        {
            return;
        }

        problems.Add($"{head} {what,-15} expected {Show(expected.Value)}   got {Show(got)}");
    }

    private static string Show(object? value) => value switch
    {
        decimal d => Money(d),
        null => "(none)",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Money(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Describe(ExpectedLine l) =>
        (l.Quantity is { } q ? $" x{q}" : "") + (l.UnitPriceTtc is { } p ? $" at {Money(p)}" : "") + (l.CodeTva is { } v ? $" (VAT code {v})" : "");

    private static int? PaymentCode(JsonElement? payment) => payment switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } n => n.GetInt32(),
        { ValueKind: JsonValueKind.String } s => s.GetString()!.ToLowerInvariant() switch
        {
            "cb" or "card" => CodeReglement.Cb,
            "izly" => CodeReglement.Izly,
            "fidelite" or "loyalty" => CodeReglement.Fidelite,
            var other => throw new ArgumentException($"Payment '{other}' is unknown: use izly, cb, fidelite or a codeReglement number."),
        },
        _ => null,
    };

    private static IPriceCatalog LoadCatalog(ScriptTestFile cases, string casesFile, string root, string site)
    {
        if (cases.Catalog is { } catalog)
        {
            if (catalog.ValueKind == JsonValueKind.String)
            {
                var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(casesFile))!, catalog.GetString()!);
                return LocalPriceList.Load(path);
            }

            return LocalPriceList.Parse(catalog, casesFile + " (catalog)");
        }

        // No host, so no VEM: the nearest prices.json stands in for VEM's data.
        return SiteLayout.Nearest(SiteLayout.Chain(root, site), SiteLayout.PricesFile) is { } prices
            ? LocalPriceList.Load(prices)
            : throw new IOException($"No catalogue for the cases: add \"catalog\": \"path/to/prices.json\" to {casesFile}, or a prices.json in the site folder.");
    }

    /// <summary>scripts/sites/crous-5/ru-9 → (scripts, "crous-5/ru-9"); a folder outside any "sites" is its own root.</summary>
    internal static (string Root, string Site) FindRoot(string folder)
    {
        var current = new DirectoryInfo(folder);
        var parts = new List<string>();
        while (current is not null)
        {
            if (current.Name == "sites" && current.Parent is not null && parts.Count > 0)
            {
                parts.Reverse();
                return (current.Parent.FullName, string.Join('/', parts));
            }

            parts.Add(current.Name);
            current = current.Parent;
        }

        return (folder, "");
    }
}
