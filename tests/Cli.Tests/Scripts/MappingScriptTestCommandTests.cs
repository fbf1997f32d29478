namespace Middleware.Cli.Tests.Scripts;

/// <summary><c>mwctl script test</c> with mapping cases (<c>"kind": "mapping"</c>), in-process, on a copy of the
/// repository's scripts: the shipped RU 9 cases, a wrong expectation, and a mapping VEM would refuse.</summary>
public sealed class MappingScriptTestCommandTests : IDisposable
{
    private const string Ru9 = "sites/crous-5/ru-9";
    private readonly string work = Path.Combine(Path.GetTempPath(), "mwctl-mapping-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task The_shipped_mapping_cases_of_ru_9_pass()
    {
        var scripts = CopyOfShippedScripts();

        var run = await ScriptTestAsync(scripts);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Mapping the mapping script sites/crous-5/ru-9/mapping.csx of site crous-5/ru-9", run.Output, StringComparison.Ordinal);
        Assert.Contains("3 case(s) passed.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_that_differs_is_shown_with_its_path_expected_and_got()
    {
        var scripts = CopyOfShippedScripts();
        var cases = Path.Combine(scripts, Ru9, "tests", "mapping.cases.json");
        var text = await File.ReadAllTextAsync(cases);
        await File.WriteAllTextAsync(cases, text.Replace("\"affectation\": \"CROUS5-RU9\"", "\"affectation\": \"CROUS5-RU10\"", StringComparison.Ordinal)
            .Replace("\"montant\": 8.30", "\"montant\": 8.40", StringComparison.Ordinal));

        var run = await ScriptTestAsync(scripts);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("2 of 3 case(s) FAILED", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"complementaire\.affectation\s+expected ""CROUS5-RU10""   got ""CROUS5-RU9""", run.Output);
        Assert.Matches(@"listeReglements\[0\]\.montant\s+expected 8\.40   got 8\.30", run.Output);
    }

    [Fact]
    public async Task A_mapping_that_makes_a_ticket_vem_would_refuse_fails_with_the_rule()
    {
        var scripts = CopyOfShippedScripts();
        // The site's mapping sends every line with VAT code 3: VEM checks it against the article's (or the profile's).
        await File.WriteAllTextAsync(Path.Combine(scripts, Ru9, "mapping.csx"),
            "return DefaultTicket with { ListeLignes = DefaultTicket.ListeLignes.Select(l => l with { CodeTva = 3 }).ToList() };\n");

        var run = await ScriptTestAsync(scripts);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("VEM would refuse the ticket: LINE_VAT_CODE (line 1)", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"listeLignes\[0\]\.codeTva\s+expected 1   got 3", run.Output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<CliRun> ScriptTestAsync(string scripts)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Mwctl.InvokeAsync(["script", "test", Path.Combine(scripts, Ru9), Path.Combine(scripts, Ru9, "tests", "mapping.cases.json"), "--no-cache"], output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    private string CopyOfShippedScripts()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        Assert.NotNull(repo);
        var source = Path.Combine(repo.FullName, "scripts");
        var target = Path.Combine(work, "scripts");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
