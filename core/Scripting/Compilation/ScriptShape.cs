using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// The two shape checks that keep a script inside the method it is pasted into. First the user's text alone, parsed
/// as a script: no syntax error (an unbalanced <c>}</c> is one) and only statements, script variables and script
/// functions at the top level. Then the wrapped file: exactly the wrapper's usings, namespace, class, factory and
/// <c>Execute</c>, so no text of the script can have closed the body and declared members of its own.
/// </summary>
internal static class ScriptShape
{
    /// <summary>A larger file is refused unparsed: parsing and checking cost grows with it.</summary>
    public const int MaxScriptChars = 256 * 1024;

    /// <summary>Deeper parentheses are refused before parsing: the parser's look-ahead over nested <c>(x = (x = ...</c>
    /// grows exponentially (20 levels: seconds; 40: never ends) and does not observe cancellation.</summary>
    public const int MaxParenthesisDepth = 12;

    /// <summary>Deeper nesting of brackets of any kind is refused: the compiler recurses on it.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Scans the tokens (linear) for nesting the parser or compiler would choke on. True when acceptable.</summary>
    public static bool CheckNesting(string path, string text, List<ScriptError> errors, CancellationToken ct)
    {
        int parens = 0, all = 0;
        foreach (var token in SyntaxFactory.ParseTokens(text, options: new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script)))
        {
            ct.ThrowIfCancellationRequested();
            var kind = token.Kind();
            parens += kind == SyntaxKind.OpenParenToken ? 1 : kind == SyntaxKind.CloseParenToken ? -1 : 0;
            all += kind is SyntaxKind.OpenParenToken or SyntaxKind.OpenBracketToken or SyntaxKind.OpenBraceToken ? 1
                : kind is SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken or SyntaxKind.CloseBraceToken ? -1 : 0;
            if (parens > MaxParenthesisDepth || all > MaxNestingDepth)
            {
                var line = token.GetLocation().GetLineSpan().StartLinePosition;
                errors.Add(new ScriptError(path, line.Line + 1, line.Character + 1, SafetyCodes.ForbiddenSyntax, parens > MaxParenthesisDepth
                    ? $"parentheses are nested deeper than {MaxParenthesisDepth} levels: split the expression into variables"
                    : $"brackets, braces and parentheses are nested deeper than {MaxNestingDepth} levels: split the code into local functions"));
                return false;
            }
        }

        return true;
    }

    public static void CheckScript(string path, string text, CompilationUnitSyntax root, SyntaxTree tree, List<ScriptError> errors)
    {
        foreach (var d in tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(20))
        {
            var span = d.Location.GetMappedLineSpan();
            errors.Add(new ScriptError(path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, d.Id,
                d.GetMessage(System.Globalization.CultureInfo.InvariantCulture) + " (a script is statements and local functions only)"));
        }

        foreach (var directive in root.GetReferenceDirectives().Cast<SyntaxNode>().Concat(root.GetLoadDirectives()))
        {
            errors.Add(At(directive, SafetyCodes.ForbiddenSyntax, "#r and #load are not supported: a script uses only the allowed API and is one file"));
        }

        foreach (var node in root.Externs.Cast<SyntaxNode>().Concat(root.AttributeLists))
        {
            errors.Add(At(node, SafetyCodes.ForbiddenSyntax, "extern aliases and assembly attributes are not allowed in scripts"));
        }

        foreach (var member in root.Members)
        {
            var reason = member switch
            {
                GlobalStatementSyntax => null,
                MethodDeclarationSyntax m when m.Modifiers.Any(SyntaxKind.ExternKeyword) =>
                    "'extern' functions (P/Invoke, native calls) are not allowed: scripts cannot call native code",
                MemberDeclarationSyntax m when m.AttributeLists.Count > 0 => "attributes are not allowed in scripts (e.g. DllImport for native calls)",
                // Script variables and functions become locals and local functions of Execute: no modifiers then.
                FieldDeclarationSyntax f when f.Modifiers.Count == 0 && f.AttributeLists.Count == 0 => null,
                MethodDeclarationSyntax m when m.AttributeLists.Count == 0 && m.ExplicitInterfaceSpecifier is null
                                               && m.Modifiers.All(x => x.IsKind(SyntaxKind.StaticKeyword)) => null,
                BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax =>
                    "classes, records, structs, enums and namespaces cannot be declared in a script: write helpers as local functions (e.g. decimal Half(decimal p) => p / 2;)",
                _ => "only statements, variables and local functions may appear at the top of a script (no properties, fields with modifiers, operators, events or constructors)",
            };
            if (reason is not null)
            {
                errors.Add(At(member, member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax
                    ? SafetyCodes.TypeDeclaration : SafetyCodes.ForbiddenSyntax, reason));
            }
        }
    }

    /// <summary>
    /// The wrapped file is exactly: the default and the script's usings, namespace <c>MiddlewareScripts</c>, one sealed
    /// class <c>Script</c> with the factory and <c>Execute</c>, and nothing else. Returns Execute's body.
    /// </summary>
    public static BlockSyntax? CheckWrapped(string path, CompilationUnitSyntax root, SyntaxTree tree, int usingCount, int statementCount, List<ScriptError> errors)
    {
        var parse = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        var ok = parse.Length == 0
                 && root.Externs.Count == 0 && root.AttributeLists.Count == 0 && root.Usings.Count == usingCount
                 && root.Members is [NamespaceDeclarationSyntax { Name: IdentifierNameSyntax { Identifier.Text: "MiddlewareScripts" } } ns]
                 && ns.Usings.Count == 0 && ns.Externs.Count == 0
                 && ns.Members is [ClassDeclarationSyntax { Identifier.Text: "Script" } type]
                 && type.AttributeLists.Count == 0 && type.Members.Count == 2
                 && type.Members[0] is MethodDeclarationSyntax { Identifier.Text: ScriptCompiler.FactoryMethod, ExpressionBody: not null }
                 && type.Members[1] is MethodDeclarationSyntax { Identifier.Text: "Execute", Body: { } body } execute
                 && body.Statements.Count == statementCount
                 && body.Statements.All(s => s is not LocalFunctionStatementSyntax f || f.AttributeLists.Count == 0);
        if (ok)
        {
            return ((MethodDeclarationSyntax)((ClassDeclarationSyntax)((NamespaceDeclarationSyntax)root.Members[0]).Members[0]).Members[1]).Body;
        }

        if (parse.Length > 0)
        {
            // A script's last statement may omit its ';' in script form but not in the method: the compiler says where.
            foreach (var d in parse.Take(20))
            {
                var span = d.Location.GetMappedLineSpan();
                errors.Add(new ScriptError(path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, d.Id,
                    d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return null;
        }

        // Only reachable if the script-mode parse accepted text that still breaks out of the wrapper: refuse it all.
        errors.Add(new ScriptError(path, 1, 1, SafetyCodes.ForbiddenSyntax,
            "the script's text changes the structure of the code it is compiled into (unbalanced braces or directives?): a script is statements and local functions only"));
        return null;
    }

    public static ScriptError At(SyntaxNode node, string code, string message)
    {
        var span = node.GetLocation().GetMappedLineSpan();
        return new ScriptError(span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, code, message);
    }
}
