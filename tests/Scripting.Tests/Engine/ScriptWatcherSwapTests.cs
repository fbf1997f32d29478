using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Scripting.Engine;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Engine;

/// <summary>
/// A roll-out (<c>mwctl scripts deploy|rollback</c>) replaces the scripts root, a link, by renaming a new link onto it:
/// the watcher must see that (it happens in the root's parent, not in the folder it watched) and then watch the new
/// folder. Real links, real rename(2) (coreutils <c>mv -T</c>), real inotify.
/// </summary>
public sealed class ScriptWatcherSwapTests : IDisposable
{
    private readonly string parent = Path.Combine(Path.GetTempPath(), "mw-scripts-swap-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_root_link_swapped_by_rename_is_seen_and_the_new_folder_is_watched()
    {
        var v1 = Version("scripts.v1", 1.00m);
        var v2 = Version("scripts.v2", 2.00m);
        var root = Path.Combine(parent, "scripts");
        File.CreateSymbolicLink(root, "scripts.v1");
        var options = new ScriptingOptions { ScriptsRoot = root, CacheDirectory = SharedCache, DebounceMilliseconds = 50 };
        using var engine = new ScriptEngine(Options.Create(options), TimeProvider.System, null, Catalog);
        using var watcher = new ScriptWatcher(engine, Options.Create(options), TimeProvider.System, NullLogger<ScriptWatcher>.Instance);
        await watcher.StartAsync(CancellationToken.None);
        Assert.Equal(1.00m, Total(engine));

        var temporary = Path.Combine(parent, ".scripts.swap");
        File.CreateSymbolicLink(temporary, "scripts.v2");
        await RenameAsync(temporary, root);
        await WaitForTotalAsync(engine, 2.00m);

        // The new folder is the one watched now: an edit there is picked up, one in the old folder is not.
        File.WriteAllText(Path.Combine(v1, "pricing.csx"), PriceScript(9.00m));
        File.WriteAllText(Path.Combine(v2, "pricing.csx"), PriceScript(3.00m));
        await WaitForTotalAsync(engine, 3.00m);
        await watcher.StopAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(parent, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static decimal Total(ScriptEngine engine) => engine.Price(Request(null, Student, Item(1201))).TotalTtc;

    private static async Task WaitForTotalAsync(ScriptEngine engine, decimal expected)
    {
        var deadline = Stopwatch.StartNew();
        while (Total(engine) != expected)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"the watcher did not reload to {expected} in 30 s (serving {Total(engine)})");
            await Task.Delay(50);
        }
    }

    private static string PriceScript(decimal price) =>
        $"foreach (var l in Basket.Lines) {{ Add(l.CodeArticle, l.Quantity, {price.ToString(System.Globalization.CultureInfo.InvariantCulture)}m); }}\n";

    /// <summary>A copy of the repository's scripts whose default pricing prices every article at <paramref name="price"/>.</summary>
    private string Version(string name, decimal price)
    {
        var folder = Path.Combine(parent, name);
        foreach (var file in Directory.GetFiles(RepositoryScripts, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(folder, Path.GetRelativePath(RepositoryScripts, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        File.WriteAllText(Path.Combine(folder, "pricing.csx"), PriceScript(price));
        return folder;
    }

    private static async Task RenameAsync(string from, string to)
    {
        using var mv = Process.Start(new ProcessStartInfo("mv", ["-T", from, to]) { RedirectStandardError = true })!;
        var error = await mv.StandardError.ReadToEndAsync();
        await mv.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(mv.ExitCode == 0, error);
    }
}
