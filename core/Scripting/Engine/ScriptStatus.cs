using Middleware.Scripting.Compilation;

namespace Middleware.Scripting.Engine;

/// <summary>The state of a script file.</summary>
public enum ScriptState
{
    /// <summary>Compiled and serving; its last call succeeded.</summary>
    Active,

    /// <summary>Serving, but its last call failed (an exception, a missing price, its budget exceeded).</summary>
    Faulted,

    /// <summary>The file's current content is refused (compile or safety errors); the previous version, if any,
    /// keeps serving (<see cref="ScriptStatus.ServingVersion"/>).</summary>
    CompileError,
}

/// <summary>What <c>scripts.status</c> and <c>mwctl</c> show for one script file.</summary>
/// <param name="File">Path relative to the scripts root, e.g. <c>sites/crous-5/ru-9/pricing.csx</c>.</param>
/// <param name="Version">First 12 hex digits of the SHA-256 of the file's current content.</param>
/// <param name="ServingVersion">The version that answers calls (differs from Version after a refused edit); null when none.</param>
/// <param name="Kind">Pricing or Mapping (from the file name).</param>
/// <param name="State">Active, Faulted or CompileError.</param>
/// <param name="LoadedAt">When the serving version was loaded.</param>
/// <param name="Errors">Why the current content is refused, as file:line:column.</param>
/// <param name="LastFault">The last call failure (cleared by a successful call's state, kept for reading).</param>
/// <param name="FaultCount">Failed calls since start.</param>
public sealed record ScriptStatus(
    string File,
    ScriptKind Kind,
    ScriptState State,
    string Version,
    string? ServingVersion,
    DateTimeOffset? LoadedAt,
    IReadOnlyList<ScriptError> Errors,
    string? LastFault,
    long FaultCount);
