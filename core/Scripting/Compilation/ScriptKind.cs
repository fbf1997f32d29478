namespace Middleware.Scripting.Compilation;

/// <summary>What a script file does: <c>pricing.csx</c> prices a basket, <c>mapping.csx</c> builds the VEM ticket.</summary>
public enum ScriptKind
{
    Pricing,
    Mapping,
}
