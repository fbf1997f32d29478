using System.Diagnostics;

namespace Middleware.Cli.Tests;

/// <summary>
/// mwctl as a dotnet tool, the way Crous IT install it (README "Install mwctl"): <c>dotnet pack core/Cli</c>, then
/// <c>dotnet tool install</c> from that folder only (a nuget.config that clears every other source: no network), then
/// the installed <c>mwctl</c> runs. Packs the Release build already made (<c>--no-build</c>); each step is bounded.
/// </summary>
[Trait("Category", "Pack")]
public sealed class ToolPackageTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "mwctl-pack-test-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task The_package_installs_as_a_tool_whose_mwctl_command_runs()
    {
        var repo = RepositoryRoot();
        var feed = Path.Combine(work, "feed");
        var tools = Path.Combine(work, "tools");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name; // .artifacts/bin/<project>/<configuration>/
        var pack = await RunAsync("dotnet", repo, "pack", Path.Combine(repo, "core", "Cli"), "-c", configuration, "--no-build", "-nologo", "-v", "q", "-o", feed);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(feed, "Izly.Middleware.Mwctl.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["Izly.Middleware.Mwctl.".Length..];
        Assert.Matches(@"^\d+\.\d+\.\d+", version);

        var config = Path.Combine(work, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="mwctl" value="{feed}" /></packageSources></configuration>
            """);
        var install = await RunAsync("dotnet", work, "tool", "install", "--tool-path", tools, "--configfile", config, "Izly.Middleware.Mwctl", "--version", version);
        Assert.True(install.ExitCode == 0, install.ToString());

        var mwctl = Path.Combine(tools, OperatingSystem.IsWindows() ? "mwctl.exe" : "mwctl");
        var help = await RunAsync(mwctl, work, "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("mwctl: command-line client of the Izly/Crous middleware", help.Output, StringComparison.Ordinal);
        foreach (var command in new[] { "outbox", "reference", "script", "scripts", "plugins" })
        {
            Assert.Matches($@"\n\s+{command}\b", help.Output);
        }

        var missing = await RunAsync(mwctl, work, "hello", "--pipe", "mwctl-none-" + Guid.NewGuid().ToString("N")[..8], "--timeout", "1");
        Assert.True(missing.ExitCode == 3, missing.ToString());
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

    /// <summary>Runs a program, 180 s at most (a pack of a built project takes seconds); its own NuGet cache, so that
    /// an older package of the same version in the machine's cache is never the one installed.</summary>
    private async Task<CliRun> RunAsync(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.Environment["NUGET_PACKAGES"] = Path.Combine(work, "nuget-cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Directory.CreateDirectory(directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end within 180 s.");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Middleware.sln")))
        {
            repo = repo.Parent;
        }

        Assert.NotNull(repo);
        return repo.FullName;
    }
}
