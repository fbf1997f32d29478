using Microsoft.Extensions.Options;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;
using Middleware.Scripting.Testing;

namespace Middleware.Scripting.Rollout;

/// <summary>What <see cref="ScriptFolderCheck"/> found: scripts compiled, sites resolved, cases run, and every failure.</summary>
public sealed record ScriptCheckReport(int Scripts, int Sites, int CaseFiles, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// <c>mwctl scripts check</c>: a whole scripts folder (defaults and every site) as the host would take it. Each
/// <c>pricing.csx</c> and <c>mapping.csx</c> goes through the host's own <see cref="ScriptEngine"/> (the same compiler,
/// safety checker and compile budget; no compile cache, so nothing is taken on trust), each site folder is resolved
/// as the host resolves it (settings, price lists), and every <c>tests/*.cases.json</c> runs with
/// <see cref="ScriptTestRunner"/>. A deploy runs this on its copy before the swap.
/// </summary>
public static class ScriptFolderCheck
{
    public static ScriptCheckReport Run(string folder, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var failures = new List<string>();
        ScriptTree tree;
        try
        {
            tree = ScriptTree.Read(folder);
        }
        catch (Exception ex) when (ex is ScriptTreeException or IOException or UnauthorizedAccessException)
        {
            failures.Add(ex.Message);
            output.WriteLine($"FAIL  {ex.Message}");
            return new ScriptCheckReport(0, 0, 0, failures);
        }

        using var engine = new ScriptEngine(Options.Create(new ScriptingOptions
        {
            ScriptsRoot = tree.Root,
            WatchForChanges = false,
            UseCompileCache = false,
        }), TimeProvider.System);

        var scripts = 0;
        foreach (var file in tree.Files.Where(f => ScriptEngine.KindOf(f.RelativePath) is not null))
        {
            scripts++;
            var handle = engine.HandleFor(Path.Combine(tree.Root, file.RelativePath));
            if (engine.Reload(handle))
            {
                output.WriteLine($"ok    {file.RelativePath} compiles");
                continue;
            }

            var errors = handle.Errors.Count == 0 ? "it cannot be read" : string.Join("; ", handle.Errors.Take(5));
            Fail(failures, output, $"{file.RelativePath}: refused: {errors}");
        }

        if (scripts == 0)
        {
            Fail(failures, output, $"no {SiteLayout.PricingFile} or {SiteLayout.MappingFile} in '{folder}': not a scripts folder.");
        }

        var sites = 0;
        foreach (var site in tree.Directories.Where(d => d.StartsWith("sites/", StringComparison.Ordinal) && !d.Split('/').Contains("tests")))
        {
            sites++;
            var key = site["sites/".Length..];
            try
            {
                SiteLayout.Resolve(tree.Root, key, EmptyPriceCatalog.Instance);
            }
            catch (Exception ex) when (ex is IOException or ScriptRuleException or PriceListException or ArgumentException)
            {
                Fail(failures, output, $"site {key}: {ex.Message}");
            }
        }

        var caseFiles = 0;
        foreach (var cases in tree.Files.Where(f => f.RelativePath.EndsWith(".cases.json", StringComparison.OrdinalIgnoreCase)
                     && Path.GetFileName(Path.GetDirectoryName(f.RelativePath)) == "tests"))
        {
            caseFiles++;
            var target = Path.GetDirectoryName(Path.GetDirectoryName(Path.Combine(tree.Root, cases.RelativePath)))!;
            var log = new StringWriter();
            var report = ScriptTestRunner.Run(target, Path.Combine(tree.Root, cases.RelativePath), log, cacheDirectory: "");
            if (report.ExitCode == ScriptTestRunner.ExitPassed)
            {
                output.WriteLine($"ok    {cases.RelativePath}: {report.Passed} case(s) passed");
                continue;
            }

            Fail(failures, output, report.ExitCode == ScriptTestRunner.ExitFailed
                ? $"{cases.RelativePath}: {report.Failed} of {report.Passed + report.Failed} case(s) failed"
                : $"{cases.RelativePath}: the cases could not run");
            foreach (var line in log.ToString().Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal) || l.StartsWith("      ", StringComparison.Ordinal) || l.StartsWith("ERROR", StringComparison.Ordinal)))
            {
                output.WriteLine("      " + line.TrimEnd());
            }
        }

        output.WriteLine();
        output.WriteLine(failures.Count == 0
            ? $"Check passed: {scripts} script(s) compile, {sites} site folder(s) resolve, {caseFiles} case file(s) pass."
            : $"Check FAILED ({failures.Count}):" + string.Concat(failures.Select(f => "\n  - " + f)));
        return new ScriptCheckReport(scripts, sites, caseFiles, failures);
    }

    private static void Fail(List<string> failures, TextWriter output, string failure)
    {
        failures.Add(failure);
        output.WriteLine($"FAIL  {failure}");
    }
}
