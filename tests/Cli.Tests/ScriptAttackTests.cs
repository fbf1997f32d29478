namespace Middleware.Cli.Tests;

/// <summary>
/// Issue #18, attacks 1 and 2, re-run as the attacker did them: through the built <c>mwctl script test</c> (its own
/// process) on a copy of the repository's scripts folder, RU 9's site and its shipped cases.
/// </summary>
public sealed class ScriptAttackTests : IDisposable
{
    private const string Site = "scripts/sites/crous-5/ru-9";
    private readonly List<string> installations = [];

    [Fact]
    public async Task Attack_1_the_brace_escape_is_refused_by_the_built_mwctl_and_writes_nothing()
    {
        var installation = NewInstallation();
        var marker = Path.Combine(installation, "escaped.txt");
        await File.WriteAllTextAsync(Path.Combine(installation, Site, "pricing.csx"), $$"""
            Escape();
            Add(1201, 1, 1m);
            }
            static string Escape() { System.IO.File.WriteAllText(@"{{marker}}", "escaped"); return ""; }
            void Unused() {
            """);

        var run = await ScriptTestAsync(installation);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("the script was refused", run.Output, StringComparison.Ordinal);
        Assert.Contains("statements and local functions only", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the escape ran: " + run);
    }

    [Fact]
    public async Task Attack_2_a_cached_image_replaced_between_two_runs_is_rebuilt_and_never_runs()
    {
        // First run: RU 9's cases pass and its image is cached in the installation's data/script-cache (not /tmp).
        var victim = NewInstallation();
        var first = await ScriptTestAsync(victim);
        Assert.True(first.ExitCode == 0, first.ToString());
        var cache = Path.Combine(victim, "data", "script-cache");
        var image = Assert.Single(Directory.GetFiles(cache, "*.dll"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cache));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(victim, "data")));
        }

        // The attacker's image: a valid signed image from an installation of their own, pricing everything 9.99.
        var attacker = NewInstallation();
        await File.WriteAllTextAsync(Path.Combine(attacker, Site, "pricing.csx"), "foreach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 9.99m); }\n");
        var evilRun = await ScriptTestAsync(attacker);
        Assert.True(evilRun.ExitCode == 1, "the attacker's script must run and fail RU 9's cases: " + evilRun);
        var evil = await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(Path.Combine(attacker, "data", "script-cache"), "*.dll")));
        await File.WriteAllBytesAsync(image, evil);

        // The restart: the replaced image is refused, rebuilt from the source, and the cases still pass.
        var second = await ScriptTestAsync(victim);

        Assert.True(second.ExitCode == 0, "the replaced image ran: " + second);
        Assert.DoesNotContain("FAIL", second.Output, StringComparison.Ordinal);
        Assert.NotEqual(evil, await File.ReadAllBytesAsync(image));
    }

    public void Dispose()
    {
        foreach (var folder in installations)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // mwctl from its own build output: the copy beside the tests lacks the Microsoft.Extensions assemblies that the
    // test project takes from the ASP.NET Core shared framework, which mwctl's runtimeconfig does not name.
    private static Task<CliRun> ScriptTestAsync(string installation)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name; // .artifacts/bin/<project>/<configuration>/
        var mwctl = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Middleware.Cli", configuration, "mwctl.dll"));
        return NoServerTests.RunDllAsync(mwctl, "script", "test", Path.Combine(installation, Site), Path.Combine(installation, Site, "tests", "pricing.cases.json"));
    }

    /// <summary>A copy of the repository's scripts folder in a fresh installation folder.</summary>
    private string NewInstallation()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        Assert.NotNull(repo);
        var installation = Path.Combine(Path.GetTempPath(), "mw-cli-script-attack", Guid.NewGuid().ToString("N"));
        installations.Add(installation);
        var source = Path.Combine(repo.FullName, "scripts");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(installation, "scripts", Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return installation;
    }
}
