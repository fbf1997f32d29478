namespace Middleware.Scripting.Compilation;

/// <summary>One reason a script was refused: where (file:line:column, 1-based) and why. <c>Code</c> is the
/// compiler's (CS0103) or SCRIPT001.. for the safety rules.</summary>
public sealed record ScriptError(string File, int Line, int Column, string Code, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Code}: {Message}";
}

/// <summary>Safety rule codes.</summary>
internal static class SafetyCodes
{
    public const string ForbiddenApi = "SCRIPT001";
    public const string ForbiddenSyntax = "SCRIPT002";
    public const string TypeDeclaration = "SCRIPT003";
}
