using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Middleware.Domain.Tickets;
using Middleware.Scripting.Globals;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// The compile-cache key of a script: SHA-256 of its content, path, kind, the engine version and the identity
/// (name, version, MVID) of every assembly it compiles against. No Roslyn type is touched here, so a cache hit at
/// start-up never loads the compiler.
/// </summary>
internal static class ScriptIdentity
{
    /// <summary>Bump when the wrapper, rewriter or allow-list changes in a way the assembly MVID would not show.</summary>
    public const string EngineVersion = "mw-scripting/2";

    /// <summary>The assemblies scripts compile against (their types are then filtered by the allow-list).</summary>
    public static IReadOnlyList<Assembly> ReferencedAssemblies { get; } =
    [
        typeof(object).Assembly,
        Assembly.Load("System.Runtime"),
        typeof(Enumerable).Assembly,
        Assembly.Load("System.Collections"),
        // Referenced so that Console.WriteLine is refused with a reason rather than "does not exist".
        typeof(Console).Assembly,
        typeof(System.Text.Json.JsonSerializer).Assembly,
        typeof(VemTicket).Assembly,
        typeof(PricingScript).Assembly,
    ];

    private static readonly string ReferencesFingerprint = string.Join("\n", ReferencedAssemblies.Select(a =>
        $"{a.GetName().Name}/{a.GetName().Version}/{a.ManifestModule.ModuleVersionId}"));

    public static string Hash(ScriptKind kind, string path, string content)
    {
        var text = $"{EngineVersion}\n{kind}\n{path}\n{ReferencesFingerprint}\n{content}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
