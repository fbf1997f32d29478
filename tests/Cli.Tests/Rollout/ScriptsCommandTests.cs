namespace Middleware.Cli.Tests.Rollout;

/// <summary>
/// <c>mwctl scripts check|deploy|rollback</c> on real folders, links and renames (in-process mwctl; the host side,
/// a running host picking the swap up, is tests/Host.Tests ScriptRolloutEndToEndTests). Each test works in a folder
/// of its own: a copy of the repository's scripts as Crous IT's checkout, and an installation with a scripts root.
/// </summary>
public sealed class ScriptsCommandTests : IDisposable
{
    private const string Ru9 = "sites/crous-5/ru-9";
    private readonly string work = Path.Combine(Path.GetTempPath(), "mwctl-rollout-" + Guid.NewGuid().ToString("N")[..12]);

    public ScriptsCommandTests() => Directory.CreateDirectory(work);

    [Fact]
    public async Task Check_passes_on_the_shipped_scripts_and_names_what_it_did()
    {
        var checkout = CopyOfShippedScripts("checkout");

        var run = await MwctlAsync("scripts", "check", checkout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"ok    {Ru9}/pricing.csx compiles", run.Output, StringComparison.Ordinal);
        Assert.Contains($"ok    {Ru9}/tests/pricing.cases.json: ", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"Check passed: 5 script\(s\) compile, 3 site folder\(s\) resolve, \d+ case file\(s\) pass\.", run.Output);
    }

    [Fact]
    public async Task Check_fails_with_the_list_of_a_script_the_safety_checker_refuses_and_a_case_that_fails()
    {
        var checkout = CopyOfShippedScripts("checkout");
        await File.WriteAllTextAsync(Path.Combine(checkout, "sites/crous-5/ru-12/mapping.csx"), "System.IO.File.WriteAllText(\"/tmp/x\", \"owned\");\nreturn DefaultTicket;\n");
        // A price rule that compiles but breaks RU 9's own cases.
        await File.WriteAllTextAsync(Path.Combine(checkout, Ru9, "pricing.csx"), "foreach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 9.99m); }\n");

        var run = await MwctlAsync("scripts", "check", checkout);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("Check FAILED (3):", run.Output, StringComparison.Ordinal);
        // RU 9's mapping cases price their sales with the broken rule too.
        Assert.Matches(@"  - sites/crous-5/ru-9/tests/mapping\.cases\.json: \d+ of 3 case\(s\) failed", run.Output);
        Assert.Matches(@"  - sites/crous-5/ru-12/mapping\.csx: refused: .*System\.IO", run.Output);
        Assert.Matches(@"  - sites/crous-5/ru-9/tests/pricing\.cases\.json: \d+ of \d+ case\(s\) failed", run.Output);
        Assert.Contains("expected 3.30   got 9.99", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_leading_out_of_the_folder_is_refused_by_check_and_deploy()
    {
        var checkout = CopyOfShippedScripts("checkout");
        var secret = Path.Combine(work, "secret.json");
        await File.WriteAllTextAsync(secret, "{ \"prix\": [] }");
        File.Delete(Path.Combine(checkout, Ru9, "prices.json"));
        File.CreateSymbolicLink(Path.Combine(checkout, Ru9, "prices.json"), "../../../../secret.json");
        var root = CopyOfShippedScripts("install/scripts");

        var check = await MwctlAsync("scripts", "check", checkout);
        var deploy = await MwctlAsync("scripts", "deploy", checkout, "--to", root);

        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains($"{Ru9}/prices.json is a link leading out of the folder", check.Output, StringComparison.Ordinal);
        Assert.True(deploy.ExitCode == 1, deploy.ToString());
        Assert.Contains("NOT deployed", deploy.Output, StringComparison.Ordinal);
        Assert.Null(new DirectoryInfo(root).LinkTarget);
        Assert.Equal(["scripts"], Directory.GetFileSystemEntries(Path.Combine(work, "install")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_link_to_a_file_inside_the_folder_is_deployed_as_a_copy_of_that_file()
    {
        var checkout = CopyOfShippedScripts("checkout");
        var shared = Path.Combine(checkout, "shared-prices.json");
        File.Move(Path.Combine(checkout, Ru9, "prices.json"), shared);
        File.CreateSymbolicLink(Path.Combine(checkout, Ru9, "prices.json"), "../../../shared-prices.json");
        var root = CopyOfShippedScripts("install/scripts");

        var deploy = await MwctlAsync("scripts", "deploy", checkout, "--to", root);

        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        var deployed = new FileInfo(Path.Combine(root, Ru9, "prices.json"));
        Assert.Null(deployed.LinkTarget);
        Assert.Equal(await File.ReadAllTextAsync(shared), await File.ReadAllTextAsync(deployed.FullName));
    }

    [Fact]
    public async Task Deploy_swaps_the_root_keeps_the_previous_version_and_rollback_swaps_back_and_forth()
    {
        var root = CopyOfShippedScripts("install/scripts");
        var v1 = CopyOfShippedScripts("checkout-v1");
        var v2 = CopyOfShippedScripts("checkout-v2");
        await File.AppendAllTextAsync(Path.Combine(v1, "site.json"), "\n// v1\n");
        await File.AppendAllTextAsync(Path.Combine(v2, "site.json"), "\n// v2\n");

        var first = await MwctlAsync("scripts", "deploy", v1, "--to", root);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.NotNull(new DirectoryInfo(root).LinkTarget);
        Assert.EndsWith("// v1\n", await File.ReadAllTextAsync(Path.Combine(root, "site.json")), StringComparison.Ordinal);
        // The real folder the root was before the first roll-out is the previous version.
        Assert.DoesNotContain("// v", await File.ReadAllTextAsync(Path.Combine(root + ".previous", "site.json")), StringComparison.Ordinal);

        var second = await MwctlAsync("scripts", "deploy", v2, "--to", root);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.EndsWith("// v2\n", await File.ReadAllTextAsync(Path.Combine(root, "site.json")), StringComparison.Ordinal);
        Assert.EndsWith("// v1\n", await File.ReadAllTextAsync(Path.Combine(root + ".previous", "site.json")), StringComparison.Ordinal);

        var back = await MwctlAsync("scripts", "rollback", "--to", root);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.EndsWith("// v1\n", await File.ReadAllTextAsync(Path.Combine(root, "site.json")), StringComparison.Ordinal);
        var forth = await MwctlAsync("scripts", "rollback", "--to", root);
        Assert.True(forth.ExitCode == 0, forth.ToString());
        Assert.EndsWith("// v2\n", await File.ReadAllTextAsync(Path.Combine(root, "site.json")), StringComparison.Ordinal);

        // Links are relative (the installation may move), and no temporary link is left behind.
        Assert.False(Path.IsPathRooted(new DirectoryInfo(root).LinkTarget));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(Path.Combine(work, "install")), e => Path.GetFileName(e).StartsWith('.'));
    }

    [Fact]
    public async Task A_failing_folder_is_never_deployed_and_the_root_stays_on_its_version()
    {
        var root = CopyOfShippedScripts("install/scripts");
        var good = CopyOfShippedScripts("checkout-good");
        Assert.Equal(0, (await MwctlAsync("scripts", "deploy", good, "--to", root)).ExitCode);
        var serving = new DirectoryInfo(root).LinkTarget;
        var before = Directory.GetFileSystemEntries(Path.Combine(work, "install")).Order().ToList();
        var bad = CopyOfShippedScripts("checkout-bad");
        await File.WriteAllTextAsync(Path.Combine(bad, Ru9, "pricing.csx"), "var t = typeof(System.Diagnostics.Process);\n");

        var run = await MwctlAsync("scripts", "deploy", bad, "--to", root);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"FAIL  {Ru9}/pricing.csx: refused", run.Output, StringComparison.Ordinal);
        Assert.Contains("NOT deployed", run.Output, StringComparison.Ordinal);
        Assert.Equal(serving, new DirectoryInfo(root).LinkTarget);
        Assert.Equal(before, Directory.GetFileSystemEntries(Path.Combine(work, "install")).Order().ToList());
    }

    [Fact]
    public async Task Rollback_of_a_root_never_deployed_says_there_is_nothing_to_roll_back()
    {
        var root = CopyOfShippedScripts("install/scripts");

        var run = await MwctlAsync("scripts", "rollback", "--to", root);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("nothing to roll back", run.Output, StringComparison.Ordinal);
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

    private static async Task<CliRun> MwctlAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Mwctl.InvokeAsync(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>A copy of the repository's scripts folder at <paramref name="relative"/> under this test's folder.</summary>
    private string CopyOfShippedScripts(string relative)
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        Assert.NotNull(repo);
        var source = Path.Combine(repo.FullName, "scripts");
        var target = Path.Combine(work, relative);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
