namespace Middleware.Scripting.Engine;

/// <summary>Options of the script engine (configuration section <c>Scripting</c>).</summary>
public sealed class ScriptingOptions
{
    public const string SectionName = "Scripting";

    /// <summary>The scripts folder (defaults, <c>sites/...</c> overrides). Default <c>scripts</c>, relative to the
    /// current directory.</summary>
    public string ScriptsRoot { get; set; } = "scripts";

    /// <summary>Where compiled scripts are cached across restarts. Default: <c>{temp}/middleware-script-cache</c>.</summary>
    public string? CacheDirectory { get; set; }

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

    /// <summary>Wall-clock limit of one script call, checked at loop back-edges. Default 2,000 ms.</summary>
    public int MaxDurationMilliseconds { get; set; } = 2000;

    /// <summary>Time zone used when a request does not name its point of sale's. Default Europe/Paris.</summary>
    public string DefaultTimeZone { get; set; } = "Europe/Paris";

    internal string ResolvedRoot => Path.GetFullPath(ScriptsRoot);

    internal string? ResolvedCacheDirectory => UseCompileCache
        ? Path.GetFullPath(CacheDirectory ?? Path.Combine(Path.GetTempPath(), "middleware-script-cache"))
        : null;
}
