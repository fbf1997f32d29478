using Microsoft.Extensions.Logging;
using Middleware.Scripting.Engine;
using static Middleware.Scripting.Tests.TestScripts;

namespace Middleware.Scripting.Tests.Compilation;

/// <summary>
/// The compile cache is the host's own (0700 folder, 0600 key) and authenticated: an image someone else wrote or
/// changed is deleted and rebuilt from its source at the next start, never loaded (issue #18, attack 2).
/// </summary>
public sealed class CompileCacheTests : IDisposable
{
    private const string Victim = "sites/victim/pricing.csx";
    private readonly TestScripts scripts = new();
    private readonly string installation = Path.Combine(Path.GetTempPath(), "mw-cache-install-" + Guid.NewGuid().ToString("N"));

    private string CacheDirectory => Path.Combine(installation, "data", "script-cache");

    private static string PriceScript(decimal price) =>
        $"foreach (var l in Basket.Lines) {{ Add(l.CodeArticle, l.Quantity, {price.ToString(System.Globalization.CultureInfo.InvariantCulture)}m); }}\n";

    [Theory]
    [InlineData("an image signed with another installation's key")]
    [InlineData("a bare assembly without a signature")]
    [InlineData("one byte of the image changed")]
    public void A_tampered_cached_image_is_deleted_and_rebuilt_and_never_runs(string tampering)
    {
        scripts.Write(Victim, PriceScript(2.00m));
        string victimImage;
        using (var first = scripts.Engine(cache: CacheDirectory))
        {
            first.ReloadAll();
            Assert.Equal(2.00m, first.Price(Request("victim", Student, Item(1201))).TotalTtc);
            victimImage = CachedImageOf(first, Victim);
        }

        // The attacker's code: a script that prices at 9.99 (any assembly would do), compiled elsewhere.
        var evil = Replacement(tampering, victimImage);
        File.WriteAllBytes(victimImage, evil);

        using var restarted = scripts.Engine(cache: CacheDirectory);
        restarted.ReloadAll();
        Assert.Equal(1, restarted.CompilationCount); // the victim only: every other cached image verified
        Assert.Equal(2.00m, restarted.Price(Request("victim", Student, Item(1201))).TotalTtc);
        Assert.Contains(scripts.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("rejected", StringComparison.Ordinal)
                                                  && e.Message.Contains(Path.GetFileName(victimImage), StringComparison.Ordinal));
        Assert.NotEqual(evil, File.ReadAllBytes(victimImage)); // rebuilt from source and signed again

        // The rebuilt image verifies: the next start compiles nothing.
        using var again = scripts.Engine(cache: CacheDirectory);
        again.ReloadAll();
        Assert.Equal(0, again.CompilationCount);
        Assert.Equal(2.00m, again.Price(Request("victim", Student, Item(1201))).TotalTtc);
    }

    [Fact]
    public void The_cache_folder_is_0700_and_its_key_0600_whatever_the_umask()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes; on Windows the folder inherits the installation's ACL
        }

        using (var engine = scripts.Engine(cache: CacheDirectory))
        {
            engine.ReloadAll();
        }

        var key = CacheDirectory + ".key";
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CacheDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(32, new FileInfo(key).Length);
        var images = Directory.GetFiles(CacheDirectory);
        Assert.Equal(5, images.Length); // the shipped scripts: default pricing and mapping, RU 9's two, RU 12's mapping
        foreach (var image in images)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(image));
        }

        // A folder opened up by someone is closed again at the next start.
        File.SetUnixFileMode(CacheDirectory, (UnixFileMode)0b111_111_111);
        using (var engine = scripts.Engine(cache: CacheDirectory))
        {
            engine.ReloadAll();
            Assert.Equal(0, engine.CompilationCount);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CacheDirectory));
    }

    [Fact]
    public void A_data_folder_the_cache_creates_first_is_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes; on Windows the folder inherits the installation's ACL
        }

        // mwctl script test before the host's first start (no umask of its own): data/ is the cache's to create, and
        // the host keeps an existing data/ as it finds it.
        Directory.CreateDirectory(installation);
        Assert.False(Directory.Exists(Path.Combine(installation, "data")));
        using (var engine = scripts.Engine(cache: CacheDirectory))
        {
            engine.ReloadAll();
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(installation, "data")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CacheDirectory));
    }

    [Fact]
    public void A_key_others_can_read_turns_the_cache_off_and_scripts_still_compile()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes; on Windows the folder inherits the installation's ACL
        }

        using (var engine = scripts.Engine(cache: CacheDirectory))
        {
            engine.ReloadAll();
        }

        File.SetUnixFileMode(CacheDirectory + ".key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var restarted = scripts.Engine(cache: CacheDirectory);
        restarted.ReloadAll();
        Assert.Equal(5, restarted.CompilationCount); // nothing loaded from disk
        Assert.Contains(scripts.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cache disabled", StringComparison.Ordinal));
        Assert.Equal(3.30m, restarted.Price(Request(null, Student, Menu())).TotalTtc);
    }

    private byte[] Replacement(string tampering, string victimImage)
    {
        var otherInstallation = Path.Combine(installation, "other");
        var other = new TestScripts();
        try
        {
            other.Write(Victim, PriceScript(9.99m));
            using var engine = other.Engine(cache: Path.Combine(otherInstallation, "data", "script-cache"));
            Assert.Equal(9.99m, engine.Price(Request("victim", Student, Item(1201))).TotalTtc);
            var signedElsewhere = File.ReadAllBytes(CachedImageOf(engine, Victim));
            switch (tampering)
            {
                case "an image signed with another installation's key":
                    return signedElsewhere;
                case "a bare assembly without a signature":
                    return signedElsewhere[32..];
                default:
                    var changed = File.ReadAllBytes(victimImage);
                    changed[changed.Length / 2] ^= 0x01;
                    return changed;
            }
        }
        finally
        {
            other.Dispose();
        }
    }

    private static string CachedImageOf(ScriptEngine engine, string script)
    {
        var version = engine.GetStatus().Single(s => s.File == script).ServingVersion!;
        return Directory.GetFiles(engine.CacheDirectory!, version + "*.dll").Single();
    }

    public void Dispose()
    {
        scripts.Dispose();
        try
        {
            Directory.Delete(installation, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
