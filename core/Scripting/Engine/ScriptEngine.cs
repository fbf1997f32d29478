using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Middleware.Domain.Errors;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Compilation;
using Middleware.Scripting.Globals;
using Middleware.Scripting.Prices;
using Middleware.Scripting.Runtime;

namespace Middleware.Scripting.Engine;

/// <summary>One compiled version of a script, in its own collectible context.</summary>
internal sealed class LoadedScript(string hash, ScriptLoadContext context, Func<object> factory, DateTimeOffset loadedAt)
{
    public string Hash { get; } = hash;
    public ScriptLoadContext Context { get; } = context;
    public Func<object> Factory { get; } = factory;
    public DateTimeOffset LoadedAt { get; } = loadedAt;
}

/// <summary>A script file: the version serving calls, and what the last (re)load found.</summary>
internal sealed class ScriptHandle(string path, ScriptKind kind)
{
    private volatile LoadedScript? current;

    public string Path { get; } = path;
    public ScriptKind Kind { get; } = kind;
    public object Gate { get; } = new();
    public LoadedScript? Current { get => current; set => current = value; }
    public volatile string? RefusedHash;
    public volatile IReadOnlyList<ScriptError> Errors = [];
    public volatile string? LastFault;
    public volatile bool Faulted;
    public long FaultCount;
    public string ContentHash = "";
}

/// <inheritdoc cref="IScriptEngine"/>
public sealed class ScriptEngine : IScriptEngine, IDisposable
{
    private readonly ScriptingOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly IPriceCatalog vemCatalog;
    private readonly CompileCache cache;
    private readonly string root;
    private readonly ConcurrentDictionary<string, ScriptHandle> handles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SiteContext> sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeZoneInfo> zones = new(StringComparer.Ordinal);

    public ScriptEngine(IOptions<ScriptingOptions> options, TimeProvider time, ILogger<ScriptEngine>? logger = null, IPriceCatalog? vemCatalog = null)
    {
        this.options = options.Value;
        this.time = time;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        this.vemCatalog = vemCatalog ?? EmptyPriceCatalog.Instance;
        root = this.options.ResolvedRoot;
        cache = new CompileCache(this.options.ResolvedCacheDirectory, this.options.ResolvedCacheKeyFile, this.logger);
    }

    /// <summary>The compile cache folder (absolute), or null when the cache is off.</summary>
    internal string? CacheDirectory => cache.Enabled ? options.ResolvedCacheDirectory : null;

    /// <summary>The scripts root folder (absolute).</summary>
    public string Root => root;

    /// <summary>Test hook: called with a weak reference to every context unloaded by a reload.</summary>
    internal Action<WeakReference>? ContextUnloaded { get; set; }

    /// <summary>The test harness prices with this file instead of the site's <c>pricing.csx</c>.</summary>
    internal string? PricingScriptOverride { get; init; }

    /// <summary>Counts compilations that ran Roslyn (cache misses), for tests and benchmarks.</summary>
    internal int CompilationCount;

    public PricingResult Price(PricingRequest request)
    {
        var site = Site(request.Site);
        var handle = Handle(site.PricingPath, ScriptKind.Pricing);
        var loaded = Serving(handle);
        var now = LocalNow(request.TimeZone, request.At);
        var script = (PricingScript)loaded.Factory();
        var catalog = site.CatalogFor(request.VemCatalog);
        script.Bind(request.Basket, request.Customer, catalog, site.Settings, now, request.PaymentCode);
        Run(handle, loaded, script.Execute);

        var lines = new List<PricedLine>(script.Lines.Count);
        foreach (var line in script.Lines)
        {
            var rate = catalog.VatRate(line.CodeTva)
                       ?? throw Fault(handle, $"{Relative(handle.Path)}: line for article {line.CodeArticle} has VAT code {line.CodeTva}, which the catalogue does not know.", null);
            // The code the till shows is the one the ticket carries and its validator checks: a script that sets another
            // one fails here, before any payment, not at the ticket after the money is taken (crous-izly-api.md §4).
            if (catalog.Article(line.CodeArticle) is { } article
                && Domain.Tickets.LineVat.CodeFor(article.CodeTva, request.Customer.CodeSociete, request.Customer.CodeTarif,
                    catalog.ProfileVatCode(request.Customer.CodeSociete, request.Customer.CodeTarif)) is var expected && line.CodeTva != expected)
            {
                throw Fault(handle, $"{Relative(handle.Path)}: line for article {line.CodeArticle} has VAT code {line.CodeTva}; this customer's is {expected} (the article's, or a non-student profile's own).", null);
            }

            lines.Add(line with { VatRate = rate });
        }

        foreach (var note in script.Notes)
        {
            logger.LogInformation("Script {Script} note: {Note}", Relative(handle.Path), note);
        }

        Succeeded(handle);
        return new PricingResult { Lines = lines, Notes = script.Notes, ScriptVersion = loaded.Hash[..12] };
    }

    public VemTicket MapTicket(MappingRequest request)
    {
        var site = Site(request.Site);
        var handle = Handle(site.MappingPath, ScriptKind.Mapping);
        var loaded = Serving(handle);
        var script = (MappingScript)loaded.Factory();
        script.Bind(request.Sale, site.CatalogFor(request.VemCatalog), site.Settings, LocalNow(request.TimeZone, request.At), request.DefaultTicket);
        VemTicket? ticket = null;
        Run(handle, loaded, () => ticket = script.Execute());
        if (ticket is null || ticket.ListeLignes.Count == 0)
        {
            throw Fault(handle, $"{Relative(handle.Path)} returned {(ticket is null ? "no ticket" : "a ticket without lines")}.", null);
        }

        Succeeded(handle);
        return ticket;
    }

    /// <summary>
    /// The <c>mapping.csx</c> a site or its Crous folder holds (absolute path), or null when only the scripts root's
    /// default applies: the host then maps with its built-in mapping. Follows the site cache that
    /// <see cref="ReloadAll"/> (the watcher) refreshes, so a file added or removed counts after the next reload.
    /// </summary>
    internal string? SiteMappingScript(string? site)
    {
        var path = Site(site).MappingPath;
        var rootDefault = Path.Combine(root, SiteLayout.MappingFile);
        return string.Equals(Path.GetFullPath(path), Path.GetFullPath(rootDefault), StringComparison.Ordinal) ? null : Path.GetFullPath(path);
    }

    /// <summary>Relative name of a script file for messages (<c>sites/crous-5/ru-9/mapping.csx</c>).</summary>
    internal string RelativeName(string path) => Relative(path);

    public IReadOnlyList<ScriptStatus> GetStatus() => handles.Values
        .OrderBy(h => h.Path, StringComparer.Ordinal)
        .Select(h =>
        {
            var current = h.Current;
            var state = h.RefusedHash is not null ? ScriptState.CompileError : h.Faulted ? ScriptState.Faulted : ScriptState.Active;
            return new ScriptStatus(Relative(h.Path), h.Kind, state, Short(h.ContentHash), current is null ? null : Short(current.Hash),
                current?.LoadedAt, h.Errors, h.LastFault, Interlocked.Read(ref h.FaultCount));
        })
        .ToArray();

    public void ReloadAll()
    {
        sites.Clear();
        if (!Directory.Exists(root))
        {
            logger.LogError("Scripts folder {Root} does not exist", root);
            return;
        }

        foreach (var path in Directory.EnumerateFiles(root, "*.csx", SearchOption.AllDirectories))
        {
            if (KindOf(path) is { } kind && !Relative(path).Split('/').Any(p => p.StartsWith('.')))
            {
                Reload(handles.GetOrAdd(path, p => new ScriptHandle(p, kind)));
            }
        }

        foreach (var gone in handles.Values.Where(h => !File.Exists(h.Path)).ToArray())
        {
            if (handles.TryRemove(gone.Path, out var removed))
            {
                Unload(removed.Current);
                logger.LogInformation("Script {Script} was removed", Relative(removed.Path));
            }
        }
    }

    /// <summary>(Re)compiles one script if its content changed. True when the file's current content serves.</summary>
    internal bool Reload(ScriptHandle handle)
    {
        lock (handle.Gate)
        {
            string text;
            try
            {
                text = ReadShared(handle.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file being written: the debounce will call again; keep serving the previous version.
                logger.LogWarning(ex, "Script {Script} cannot be read yet; the previous version keeps serving", Relative(handle.Path));
                return false;
            }

            var hash = ScriptIdentity.Hash(handle.Kind, handle.Path, text);
            handle.ContentHash = hash;
            if (handle.Current?.Hash == hash)
            {
                handle.RefusedHash = null;
                handle.Errors = [];
                return true;
            }

            if (handle.RefusedHash == hash)
            {
                return false;
            }

            var loaded = cache.TryRead(hash) is { } cached ? TryLoad(hash, cached) : null;
            if (loaded is null)
            {
                var outcome = CompileWithRoslyn(handle.Kind, handle.Path, text, hash);
                if (!outcome.Success)
                {
                    handle.RefusedHash = hash;
                    handle.Errors = outcome.Errors;
                    foreach (var e in outcome.Errors)
                    {
                        logger.LogError("Script refused: {File}:{Line}:{Column}: {Code}: {Message}", e.File, e.Line, e.Column, e.Code, e.Message);
                    }

                    if (handle.Current is { } serving)
                    {
                        logger.LogWarning("Script {Script}: version {Version} keeps serving until the errors are fixed", Relative(handle.Path), Short(serving.Hash));
                    }

                    return false;
                }

                cache.Write(hash, outcome.Image!);
                loaded = TryLoad(hash, outcome.Image!) ?? throw new InvalidOperationException("A freshly compiled script did not load.");
            }

            var old = handle.Current;
            handle.Current = loaded;
            handle.RefusedHash = null;
            handle.Errors = [];
            handle.Faulted = false;
            handle.LastFault = null;
            Unload(old);
            logger.LogInformation("Script {Script} version {Version} active", Relative(handle.Path), Short(hash));
            return true;
        }
    }

    internal ScriptHandle HandleFor(string path) => Handle(Path.GetFullPath(path), KindOf(path) ?? ScriptKind.Pricing);

    // Kept out of the cache-hit path so that a start-up from the cache never loads Roslyn.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CompileOutcome CompileWithRoslyn(ScriptKind kind, string path, string text, string hash)
    {
        Interlocked.Increment(ref CompilationCount);
        var sw = Stopwatch.StartNew();
        var outcome = ScriptCompiler.Compile(kind, path, text, hash, TimeSpan.FromMilliseconds(options.MaxCompileMilliseconds));
        logger.LogDebug("Compiled {Script} in {Elapsed} ms", Relative(path), sw.ElapsedMilliseconds);
        return outcome;
    }

    private LoadedScript? TryLoad(string hash, byte[] image)
    {
        var context = new ScriptLoadContext("script-" + hash[..12]);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image));
            var factory = assembly.GetType(ScriptCompiler.TypeName, throwOnError: true)!.GetMethod(ScriptCompiler.FactoryMethod)!;
            var create = factory.CreateDelegate<Func<object>>();
            return new LoadedScript(hash, context, create, time.GetUtcNow());
        }
        catch (Exception ex) when (ex is BadImageFormatException or TypeLoadException or ArgumentException or NullReferenceException or FileLoadException)
        {
            logger.LogWarning(ex, "Compiled script {Hash} did not load; recompiling", Short(hash));
            context.Unload();
            cache.Delete(hash);
            return null;
        }
    }

    private void Unload(LoadedScript? old)
    {
        if (old is null)
        {
            return;
        }

        // Calls still running on the old version keep it alive; the runtime frees it once they end.
        var weak = new WeakReference(old.Context);
        old.Context.Unload();
        ContextUnloaded?.Invoke(weak);
    }

    private void Run(ScriptHandle handle, LoadedScript loaded, Action body)
    {
        using var scope = ScriptBudget.Begin(new ScriptLimits(options.MaxSteps, options.MaxCallDepth,
            TimeSpan.FromMilliseconds(options.MaxDurationMilliseconds), options.MaxAllocatedBytes, options.MaxStringLength, options.MaxElements));
        try
        {
            body();
            scope.ThrowIfTripped();
        }
        catch (Exception ex) when (ex is not MiddlewareException)
        {
            throw Fault(handle, Describe(handle, loaded, ex), ex);
        }
    }

    private string Describe(ScriptHandle handle, LoadedScript loaded, Exception ex)
    {
        var file = Relative(handle.Path);
        var line = ScriptLine(ex, handle.Path);
        var where = line is null ? file : $"{file}:{line}";
        return ex switch
        {
            ScriptBudgetExceededException => $"{where}: {ex.Message} The script is marked Faulted; fix it and save it again.",
            ScriptRuleException => $"{where}: {Cut(ex.Message)}",
            _ => $"{where}: the script failed with {ex.GetType().Name}: {Cut(ex.Message)} (version {Short(loaded.Hash)})",
        };
    }

    // A script chooses its exception messages: they reach the till and the log, so their length is bounded.
    private static string Cut(string message) => message.Length <= 500 ? message : message[..500] + "…";

    private static int? ScriptLine(Exception ex, string path)
    {
        var frames = new StackTrace(ex, fNeedFileInfo: true).GetFrames();
        foreach (var frame in frames)
        {
            if (string.Equals(frame.GetFileName(), path, StringComparison.Ordinal) && frame.GetFileLineNumber() > 0)
            {
                return frame.GetFileLineNumber();
            }
        }

        return null;
    }

    private MiddlewareException Fault(ScriptHandle handle, string message, Exception? inner)
    {
        handle.Faulted = true;
        handle.LastFault = message;
        Interlocked.Increment(ref handle.FaultCount);
        logger.LogError(inner, "Script fault: {Message}", message);
        return new MiddlewareException(ErrorCode.ScriptFaulted, message, null, inner);
    }

    private static void Succeeded(ScriptHandle handle)
    {
        if (handle.Faulted)
        {
            handle.Faulted = false;
        }
    }

    private LoadedScript Serving(ScriptHandle handle)
    {
        if (handle.Current is { } loaded)
        {
            return loaded;
        }

        Reload(handle);
        return handle.Current ?? throw new MiddlewareException(ErrorCode.ScriptFaulted,
            $"{Relative(handle.Path)} has errors and no previous version to serve: " + string.Join("; ", handle.Errors.Take(3)));
    }

    private ScriptHandle Handle(string path, ScriptKind kind) => handles.GetOrAdd(path, p => new ScriptHandle(p, kind));

    private SiteContext Site(string? site)
    {
        var key = site ?? "";
        if (sites.TryGetValue(key, out var context))
        {
            return context;
        }

        try
        {
            context = SiteLayout.Resolve(root, site, vemCatalog);
            if (PricingScriptOverride is { } scriptPath)
            {
                context = context with { PricingPath = Path.GetFullPath(scriptPath) };
            }
        }
        catch (Exception ex) when (ex is IOException or ScriptRuleException or PriceListException or ArgumentException)
        {
            logger.LogError(ex, "Script site {Site} cannot be used", key);
            throw new MiddlewareException(ErrorCode.ScriptNotFound, $"Script site '{key}': {ex.Message}", null, ex);
        }

        return sites.GetOrAdd(key, context);
    }

    private DateTimeOffset LocalNow(string? timeZone, DateTimeOffset? at)
    {
        var id = timeZone ?? options.DefaultTimeZone;
        var zone = zones.GetOrAdd(id, TimeZoneInfo.FindSystemTimeZoneById);
        return TimeZoneInfo.ConvertTime(at ?? time.GetUtcNow(), zone);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static ScriptKind? KindOf(string path) => System.IO.Path.GetFileName(path).ToLowerInvariant() switch
    {
        SiteLayout.PricingFile => ScriptKind.Pricing,
        SiteLayout.MappingFile => ScriptKind.Mapping,
        _ => null,
    };

    private string Relative(string path) => System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');

    private static string Short(string hash) => hash.Length >= 12 ? hash[..12] : hash;

    public void Dispose()
    {
        foreach (var h in handles.Values)
        {
            Unload(h.Current);
            h.Current = null;
        }

        handles.Clear();
    }
}
