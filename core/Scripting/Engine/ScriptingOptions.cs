namespace Middleware.Scripting.Engine;

/// <summary>Options of the script engine (configuration section <c>Scripting</c>).</summary>
public sealed class ScriptingOptions
{
    public const string SectionName = "Scripting";

    /// <summary>The scripts folder (defaults, <c>sites/...</c> overrides). Default <c>scripts</c>, relative to the
    /// current directory.</summary>
    public string ScriptsRoot { get; set; } = "scripts";

    /// <summary>The default cache folder, relative to the installation folder (the host resolves it there).</summary>
    public const string DefaultCacheDirectory = "data/script-cache";

    /// <summary>Where compiled scripts are cached across restarts: a folder of the host's own, created 0700.
    /// Default <c>data/script-cache</c> (the host resolves relative paths against the installation folder).</summary>
    public string? CacheDirectory { get; set; } = DefaultCacheDirectory;

    /// <summary>The 32-byte HMAC key that authenticates the cached images, created 0600 on first use. Default: the
    /// cache folder's name plus <c>.key</c>, beside it (<c>data/script-cache.key</c>).</summary>
    public string? CacheKeyFile { get; set; }

    /// <summary>Use the on-disk compile cache. Default true.</summary>
    public bool UseCompileCache { get; set; } = true;

    /// <summary>Reload scripts when their files change. Default true.</summary>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>Quiet time after the last file change before reloading (editors write in several steps). Default 300 ms.</summary>
    public int DebounceMilliseconds { get; set; } = 300;

    /// <summary>Loop iterations + calls one script call may make. Default 1,000,000 (a real rule uses a few hundred).</summary>
    public long MaxSteps { get; set; } = 1_000_000;

    /// <summary>Nesting depth of local functions and lambdas (recursion). Default 64.</summary>
    public int MaxCallDepth { get; set; } = 64;

    /// <summary>Wall-clock limit of one script call, checked at every statement, loop back-edge and call. Default 2,000 ms.</summary>
    public int MaxDurationMilliseconds { get; set; } = 2000;

    /// <summary>Bytes one script call may allocate (its thread's allocations, host calls included), checked with the
    /// steps. Default 64 MiB (a real rule allocates a few kilobytes).</summary>
    public long MaxAllocatedBytes { get; set; } = Runtime.ScriptLimits.DefaultMaxAllocatedBytes;

    /// <summary>Longest string a script may build. Default 1,000,000 characters.</summary>
    public int MaxStringLength { get; set; } = Runtime.ScriptLimits.DefaultMaxStringLength;

    /// <summary>Largest array length, capacity, count or padding width a script may pass in one call. Default 1,000,000.</summary>
    public int MaxElements { get; set; } = Runtime.ScriptLimits.DefaultMaxElements;

    /// <summary>Longest time one script may take to check and compile (the compiler's cost can grow steeply with
    /// hostile nesting). Default 20,000 ms; a real script compiles in well under a second.</summary>
    public int MaxCompileMilliseconds { get; set; } = 20_000;

    /// <summary>Time zone used when a request does not name its point of sale's. Default Europe/Paris.</summary>
    public string DefaultTimeZone { get; set; } = "Europe/Paris";

    internal string ResolvedRoot => Path.GetFullPath(ScriptsRoot);

    internal string? ResolvedCacheDirectory => UseCompileCache
        ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(string.IsNullOrWhiteSpace(CacheDirectory) ? DefaultCacheDirectory : CacheDirectory))
        : null;

    internal string? ResolvedCacheKeyFile => ResolvedCacheDirectory is { } directory
        ? Path.GetFullPath(string.IsNullOrWhiteSpace(CacheKeyFile) ? directory + ".key" : CacheKeyFile)
        : null;
}
