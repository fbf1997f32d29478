using Middleware.Scripting.Testing;

namespace Middleware.Scripting.Tests.Testing;

public sealed class ScriptTestRunnerTests : IDisposable
{
    private readonly TestScripts scripts = new();

    [Fact]
    public void A_wrong_expectation_fails_with_a_readable_diff_and_exit_code_1()
    {
        var cases = scripts.Write("tests/wrong.cases.json", """
            { "catalog": "catalog.json", "cases": [
              { "name": "right", "at": "2026-11-26T12:15:00+01:00", "customer": { "codeSociete": 10, "codeTarif": 1 },
                "basket": [ { "codeArticle": 1201 } ], "expect": { "totalTtc": 2.20 } },
              { "name": "guest with a wrong price", "at": "2026-11-26T12:15:00+01:00", "customer": { "codeSociete": 8000, "codeTarif": 1 },
                "basket": [ { "codeArticle": 1201 } ],
                "expect": { "lines": [ { "codeArticle": 1201, "unitPriceTtc": 4.90, "codeTva": 1 } ], "totalTtc": 4.90 } }
            ] }
            """);
        var output = new StringWriter();
        var report = ScriptTestRunner.Run(scripts.Root, cases, output, TestScripts.SharedCache);
        var text = output.ToString();

        Assert.Equal((1, 1, ScriptTestRunner.ExitFailed), (report.Passed, report.Failed, report.ExitCode));
        Assert.Contains("PASS  right", text, StringComparison.Ordinal);
        Assert.Contains("FAIL  guest with a wrong price", text, StringComparison.Ordinal);
        Assert.Contains("line 1 (article 1201 'Plat chaud'): unit price TTC  expected 4.90   got 5.20", text, StringComparison.Ordinal);
        Assert.Contains("VAT code        expected 1   got 2", text, StringComparison.Ordinal);
        Assert.Contains("unexpected line 2: article 9100 'Droit d'entrée' x1 at 1.50 (VAT code 2)", text, StringComparison.Ordinal);
        Assert.Contains("ticket: total TTC       expected 4.90   got 6.70", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_script_file_with_a_compile_error_exits_2_with_its_location()
    {
        var script = scripts.Write("sites/crous-5/ru-9/draft.csx", "\nAdd(1201, 1, PriceOf(1201)) // missing semicolon\n");
        var output = new StringWriter();
        var report = ScriptTestRunner.Run(script, Path.Combine(scripts.Root, "sites/crous-5/ru-9/tests/pricing.cases.json"), output, "");
        Assert.Equal(ScriptTestRunner.ExitError, report.ExitCode);
        Assert.Contains($"{script}:2:28: CS1002", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("the script was refused", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_script_file_is_tested_with_its_sites_settings()
    {
        var script = scripts.Write("sites/crous-5/ru-9/draft.csx", File.ReadAllText(Path.Combine(scripts.Root, "sites/crous-5/ru-9/pricing.csx")));
        var output = new StringWriter();
        var report = ScriptTestRunner.Run(script, Path.Combine(scripts.Root, "sites/crous-5/ru-9/tests/pricing.cases.json"), output, TestScripts.SharedCache);
        Assert.True(report.ExitCode == 0, output.ToString());
        Assert.Equal(7, report.Passed);
    }

    [Fact]
    public void Missing_files_and_bad_json_are_explained()
    {
        var output = new StringWriter();
        Assert.Equal(2, ScriptTestRunner.Run(Path.Combine(scripts.Root, "nope"), "x.json", output).ExitCode);
        Assert.Contains("neither a script file nor a folder", output.ToString(), StringComparison.Ordinal);

        var bad = scripts.Write("tests/bad.cases.json", "{ \"cases\": [ { \"name\": 3 ");
        output = new StringWriter();
        Assert.Equal(2, ScriptTestRunner.Run(scripts.Root, bad, output).ExitCode);
        Assert.Contains("bad.cases.json:1: the cases file is not valid", output.ToString(), StringComparison.Ordinal);

        File.Delete(Path.Combine(scripts.Root, "tests/catalog.json"));
        output = new StringWriter();
        Assert.Equal(2, ScriptTestRunner.Run(scripts.Root, Path.Combine(scripts.Root, "tests/pricing.cases.json"), output).ExitCode);
        Assert.Contains("catalog.json", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Finds_the_scripts_root_and_site_of_a_folder()
    {
        var (root, site) = ScriptTestRunner.FindRoot(Path.Combine(scripts.Root, "sites", "crous-5", "ru-9"));
        Assert.Equal((scripts.Root, "crous-5/ru-9"), (root, site));
        Assert.Equal((scripts.Root, ""), ScriptTestRunner.FindRoot(scripts.Root));
    }

    public void Dispose() => scripts.Dispose();
}
