using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Middleware.Scripting.Engine;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;

namespace Middleware.Scripting.Tests;

/// <summary>A private copy of the repository's scripts folder in a temp directory, and engines over it.</summary>
internal sealed class TestScripts : IDisposable
{
    /// <summary>One compile cache for the whole test run: entries are keyed by content, so sharing is safe and fast.</summary>
    public static readonly string SharedCache = Path.Combine(Path.GetTempPath(), "mw-scripting-tests-cache-" + Environment.ProcessId);

    public TestScripts()
    {
        Root = Path.Combine(Path.GetTempPath(), "mw-scripts-" + Guid.NewGuid().ToString("N"));
        Copy(RepositoryScripts, Root);
    }

    public string Root { get; }

    public ListLogger<ScriptEngine> Log { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 11, 15, 0, TimeSpan.Zero));

    public static string RepositoryScripts { get; } = FindRepositoryScripts();

    public static IPriceCatalog Catalog { get; } = LocalPriceList.Load(Path.Combine(RepositoryScripts, "tests", "catalog.json"));

    public ScriptEngine Engine(Action<ScriptingOptions>? configure = null, string? cache = null)
    {
        var options = new ScriptingOptions
        {
            ScriptsRoot = Root,
            WatchForChanges = false,
            CacheDirectory = string.IsNullOrEmpty(cache) ? SharedCache : cache,
            UseCompileCache = cache != "",
        };
        configure?.Invoke(options);
        return new ScriptEngine(Options.Create(options), Time, Log, Catalog);
    }

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public static PricingRequest Request(string? site, CustomerProfile customer, params BasketLine[] lines) =>
        new() { Site = site, Basket = new Basket { Lines = lines }, Customer = customer };

    public static CustomerProfile Student => new() { CodeSociete = Societes.Student, CodeTarif = 1 };

    public static CustomerProfile Guest => new() { CodeSociete = Societes.Guest, CodeTarif = 1 };

    public static BasketLine Item(int code, int quantity = 1) => new() { CodeArticle = code, Quantity = quantity };

    public static BasketLine Menu(int code = 2001) =>
        new() { CodeArticle = code, Components = [Item(1001), Item(1201), Item(1301)] };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

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

    private static string FindRepositoryScripts()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "scripts");
            if (File.Exists(Path.Combine(candidate, "pricing.csx")) && File.Exists(Path.Combine(dir.FullName, "Middleware.sln")))
            {
                return candidate;
            }

            dir = dir.Parent;
        }

        throw new InvalidOperationException("The repository's scripts folder was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Captures log lines for assertions.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}
