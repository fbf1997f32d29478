using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;

namespace Middleware.Scripting.Compilation;

/// <summary>The result of compiling a script: the assembly image, or the reasons it was refused.</summary>
internal sealed record CompileOutcome(byte[]? Image, IReadOnlyList<ScriptError> Errors)
{
    public bool Success => Image is not null;
}

/// <summary>
/// Compiles a script: parsed as a script (usings, top-level statements, local functions), wrapped into the body of
/// a class deriving from the host's globals (<c>PricingScript</c>/<c>MappingScript</c>) with <c>#line</c> so every
/// error points at the script file's line and column, checked against the allow-list, instrumented with its
/// budget, and emitted to bytes (loaded later into a collectible context). Never uses the Roslyn scripting loader.
/// </summary>
internal static class ScriptCompiler
{
    public const string TypeName = "MiddlewareScripts.Script";
    public const string FactoryMethod = "Create";

    private static readonly string[] DefaultUsings =
    [
        "System", "System.Collections.Generic", "System.Linq", "System.Globalization", "Middleware.Scripting.Globals",
        "Middleware.Domain.Tickets", "Middleware.Domain.Money",
    ];

    private static readonly CSharpParseOptions ScriptParse = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);
    private static readonly CSharpParseOptions RegularParse = new(LanguageVersion.Latest, kind: SourceCodeKind.Regular);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ScriptIdentity.ReferencedAssemblies.Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location)).ToArray());

    private static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        allowUnsafe: false,
        nullableContextOptions: NullableContextOptions.Disable,
        concurrentBuild: false,
        deterministic: true);

    public static CompileOutcome Compile(ScriptKind kind, string path, string text, string hash) =>
        Compile(kind, path, text, hash, TimeSpan.FromSeconds(20));

    public static CompileOutcome Compile(ScriptKind kind, string path, string text, string hash, TimeSpan maxTime)
    {
        // Roslyn's own cost can grow exponentially with hostile nesting: compiling has a deadline like running.
        using var deadline = new CancellationTokenSource(maxTime);
        try
        {
            return Compile(kind, path, text, hash, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new CompileOutcome(null, [new ScriptError(path, 1, 1, SafetyCodes.ForbiddenSyntax,
                $"the script took longer than {maxTime.TotalSeconds:0.#} s to compile (deeply nested expressions?): simplify it")]);
        }
    }

    private static CompileOutcome Compile(ScriptKind kind, string path, string text, string hash, CancellationToken ct)
    {
        var errors = new List<ScriptError>();
        if (text.Length > ScriptShape.MaxScriptChars)
        {
            return new CompileOutcome(null, [new ScriptError(path, 1, 1, SafetyCodes.ForbiddenSyntax,
                $"the script is {text.Length:N0} characters long; at most {ScriptShape.MaxScriptChars:N0} are accepted")]);
        }

        if (!ScriptShape.CheckNesting(path, text, errors, ct))
        {
            return new CompileOutcome(null, errors);
        }

        // 1. The user's text on its own, as a script: it must parse and hold only what a script may declare.
        var scriptTree = CSharpSyntaxTree.ParseText(text, ScriptParse, path, cancellationToken: ct);
        var scriptRoot = (CompilationUnitSyntax)scriptTree.GetRoot(ct);
        ScriptShape.CheckScript(path, text, scriptRoot, scriptTree, errors);
        if (errors.Count > 0)
        {
            return new CompileOutcome(null, errors);
        }

        // 2. Wrapped, the file must have exactly the wrapper's shape (no member the script's text declared itself).
        var wrapped = Wrap(kind, path, text, scriptRoot);
        var tree = CSharpSyntaxTree.ParseText(wrapped, RegularParse, path, Encoding.UTF8, ct);
        var root = (CompilationUnitSyntax)tree.GetRoot(ct);
        if (ScriptShape.CheckWrapped(path, root, tree, DefaultUsings.Length + scriptRoot.Usings.Count, scriptRoot.Members.Count, errors) is null)
        {
            return new CompileOutcome(null, errors);
        }

        // 3. The whole compilation unit is checked, the wrapper included: syntax, every symbol it names (the safety
        // reason first: "cannot read files" says more than "System.IO.File does not exist"), then the compiler's
        // errors, then every symbol the compiled operations use (implicit calls included) and the cost rules.
        SafetyChecker.CheckSyntax([root], errors);
        var compilation = CSharpCompilation.Create("mwscript-" + hash[..16], [tree], References.Value, Options);
        var model = compilation.GetSemanticModel(tree);
        if (errors.Count == 0)
        {
            SafetyChecker.CheckSemantics(model, [root], errors, ct);
        }

        if (errors.Count == 0)
        {
            errors.AddRange(compilation.GetDiagnostics(ct).Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).Select(ToError));
        }

        if (errors.Count == 0)
        {
            SafetyChecker.CheckOperations(model, root, errors, ct);
            CostChecker.Check(model, root, errors, ct);
        }

        if (errors.Count > 0)
        {
            return new CompileOutcome(null, errors);
        }

        var instrumented = new BudgetRewriter(model, "Execute", ct).Visit(root);
        var finalTree = tree.WithRootAndOptions(instrumented, RegularParse);
        var final = compilation.ReplaceSyntaxTree(tree, finalTree);
        using var pe = new MemoryStream();
        var emit = final.Emit(pe, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded), cancellationToken: ct);
        if (!emit.Success)
        {
            // The accepted script compiled before instrumentation: this is an engine bug, reported as such.
            return new CompileOutcome(null, emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)
                .Select(d => ToError(d) with { Message = "internal error of the script engine (please report): " + d.GetMessage() }).ToArray());
        }

        return new CompileOutcome(pe.ToArray(), []);
    }

    private static string Wrap(ScriptKind kind, string path, string text, CompilationUnitSyntax scriptRoot)
    {
        var (baseType, signature) = kind switch
        {
            ScriptKind.Pricing => ("global::Middleware.Scripting.Globals.PricingScript", "public override void Execute()"),
            _ => ("global::Middleware.Scripting.Globals.MappingScript", "public override global::Middleware.Domain.Tickets.VemTicket Execute()"),
        };

        var sb = new StringBuilder(text.Length + 1024);
        foreach (var u in DefaultUsings)
        {
            sb.Append("using ").Append(u).Append(";\n");
        }

        var quoted = path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

        // The script's own usings go to the top of the file, each under a #line that keeps its position.
        var body = text.ToCharArray();
        foreach (var u in scriptRoot.Usings)
        {
            var line = u.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            sb.Append("#line ").Append(line).Append(" \"").Append(quoted).Append("\"\n").Append(u.ToString()).Append('\n');
            for (var i = u.Span.Start; i < u.Span.End; i++)
            {
                if (body[i] is not '\r' and not '\n')
                {
                    body[i] = ' ';
                }
            }
        }

        sb.Append("#line hidden\nnamespace MiddlewareScripts\n{\n");
        sb.Append("public sealed class Script : ").Append(baseType).Append("\n{\n");
        sb.Append("public static ").Append(baseType).Append(' ').Append(FactoryMethod).Append("() => new Script();\n");
        sb.Append(signature).Append("\n{\n");
        sb.Append("#line 1 \"").Append(quoted).Append("\"\n");
        sb.Append(body);
        sb.Append("\n#line hidden\n}\n}\n}\n");
        return sb.ToString();
    }

    private static ScriptError ToError(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        return new ScriptError(span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
