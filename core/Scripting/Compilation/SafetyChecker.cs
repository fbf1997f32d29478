using System.Collections.Frozen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// Refuses a script that reaches outside its allow-list (<see cref="AllowList"/>): every identifier, member access,
/// object creation, invocation, type and expression type of the script's code is resolved on the semantic model and
/// its namespace, type and member checked. Dangerous syntax (unsafe, extern, lock, await, attributes) is refused first.
/// </summary>
internal static class SafetyChecker
{
    private const int MaxErrors = 20;

    /// <summary>The wrapper's namespace (the script's own class lives there).</summary>
    private const string ScriptNamespace = "MiddlewareScripts";

    private static readonly FrozenDictionary<string, string> TypeReasons = new Dictionary<string, string>
    {
        ["System.Type"] = "scripts cannot use reflection (typeof, GetType) or load assemblies",
        ["System.Activator"] = "scripts cannot use reflection or create types dynamically",
        ["System.AppDomain"] = "scripts cannot use reflection or load assemblies",
        ["System.AppContext"] = "scripts cannot read or change the host's settings",
        ["System.Delegate"] = "scripts cannot use reflection on delegates",
        ["System.MulticastDelegate"] = "scripts cannot use reflection on delegates",
        ["System.Environment"] = "scripts cannot read the environment or stop the host (use Site settings)",
        ["System.GC"] = "scripts cannot control the garbage collector",
        ["System.Console"] = "scripts cannot write to the console: use Log(\"...\")",
        ["System.Runtime.CompilerServices.Unsafe"] = "unsafe code is not allowed",
    }.ToFrozenDictionary();

    private static readonly FrozenSet<string> AllowedNamespacePrefixes = BuildNamespacePrefixes();

    /// <summary>Syntax that is refused whatever it resolves to.</summary>
    public static void CheckSyntax(IEnumerable<SyntaxNode> roots, List<ScriptError> errors)
    {
        foreach (var node in roots.SelectMany(r => r.DescendantNodesAndSelf()))
        {
            var reason = node switch
            {
                UnsafeStatementSyntax or FixedStatementSyntax or PointerTypeSyntax or FunctionPointerTypeSyntax
                    or StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax =>
                    "unsafe code (unsafe, fixed, pointers, stackalloc) is not allowed in scripts",
                PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.AddressOfExpression) || p.IsKind(SyntaxKind.PointerIndirectionExpression) =>
                    "pointers are not allowed in scripts",
                MemberAccessExpressionSyntax m when m.IsKind(SyntaxKind.PointerMemberAccessExpression) => "pointers are not allowed in scripts",
                LocalFunctionStatementSyntax f when f.Modifiers.Any(SyntaxKind.ExternKeyword) =>
                    "'extern' functions (P/Invoke, native calls) are not allowed: scripts cannot call native code",
                LocalFunctionStatementSyntax f when f.Modifiers.Any(SyntaxKind.UnsafeKeyword) => "unsafe code is not allowed in scripts",
                AnonymousFunctionExpressionSyntax a when a.Modifiers.Any(SyntaxKind.UnsafeKeyword) => "unsafe code is not allowed in scripts",
                LockStatementSyntax => "'lock' is not allowed: scripts cannot use threads",
                QueryExpressionSyntax => "LINQ query syntax (from ... select) is not allowed: use the methods (Where, Select), whose lambdas the budget can count",
                ArrayRankSpecifierSyntax r when r.Rank > 1 => "multi-dimensional arrays are not allowed: their size is the product of their lengths",
                AwaitExpressionSyntax => "'await' is not allowed: scripts run synchronously and cannot start tasks",
                AttributeListSyntax => "attributes are not allowed in scripts (e.g. DllImport for native calls)",
                MakeRefExpressionSyntax or RefTypeExpressionSyntax or RefValueExpressionSyntax => "__makeref/__reftype/__refvalue are not allowed in scripts",
                ExpressionSyntax e when e.IsKind(SyntaxKind.ArgListExpression) => "__arglist is not allowed in scripts",
                _ => null,
            };
            if (reason is not null)
            {
                Add(errors, node, SafetyCodes.ForbiddenSyntax, reason);
            }
        }
    }

    /// <summary>Every symbol and type the script's code uses must be on the allow-list.</summary>
    public static void CheckSemantics(SemanticModel model, IEnumerable<SyntaxNode> roots, List<ScriptError> errors, CancellationToken ct)
    {
        var script = model.Compilation.Assembly;
        foreach (var node in roots.SelectMany(r => r.DescendantNodesAndSelf()))
        {
            ct.ThrowIfCancellationRequested();
            if (errors.Count >= MaxErrors)
            {
                return;
            }

            string? reason = null;
            if (node is ExpressionSyntax or AttributeSyntax or UsingDirectiveSyntax)
            {
                var target = node is UsingDirectiveSyntax u ? (SyntaxNode?)u.NamespaceOrType : node;
                var info0 = target is null ? default : model.GetSymbolInfo(target, ct);
                if (info0.Symbol is { } symbol)
                {
                    reason = CheckSymbol(symbol, script);
                }
                else if (target is QualifiedNameSyntax or MemberAccessExpressionSyntax && info0.CandidateSymbols.IsEmpty)
                {
                    // An unknown System.Net.Http... does not resolve (its assembly is not referenced): say why it
                    // would be refused anyway instead of only "does not exist".
                    var text = target.ToString().Replace("global::", "", StringComparison.Ordinal);
                    var why = AllowList.ReasonFor(text);
                    if (text.StartsWith("System.", StringComparison.Ordinal) && why != AllowList.ReasonFor(""))
                    {
                        reason = $"'{text}' is not allowed: {why}";
                    }
                }

                if (reason is null && node is ExpressionSyntax expression)
                {
                    var info = model.GetTypeInfo(expression, ct);
                    reason = CheckType(info.Type, script) ?? CheckType(info.ConvertedType, script);
                }
            }
            else if (node is VariableDeclaratorSyntax or LocalFunctionStatementSyntax or ParameterSyntax or SingleVariableDesignationSyntax
                     or ForEachStatementSyntax or CatchDeclarationSyntax)
            {
                if (model.GetDeclaredSymbol(node, ct) is { } declared)
                {
                    reason = CheckSymbol(declared, script);
                }
            }

            if (reason is not null && !errors.Any(e => e.Message == reason && SameSpot(e, node)))
            {
                Add(errors, node, SafetyCodes.ForbiddenApi, reason);
            }
        }
    }

    /// <summary>
    /// The compiled operations, implicit ones included (foreach's enumerator, collection initializers' Add,
    /// user-defined conversions and operators, deconstruction): every method, property, field and constructor they
    /// use must be allowed, whatever syntax led to it.
    /// </summary>
    public static void CheckOperations(SemanticModel model, CompilationUnitSyntax root, List<ScriptError> errors, CancellationToken ct)
    {
        var script = model.Compilation.Assembly;
        foreach (var method in root.DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            var body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
            if (body is null || model.GetOperation(body, ct) is not { } operation)
            {
                continue;
            }

            foreach (var op in operation.DescendantsAndSelf())
            {
                ct.ThrowIfCancellationRequested();
                if (errors.Count >= MaxErrors)
                {
                    return;
                }

                ISymbol? used = op switch
                {
                    IInvocationOperation i => i.TargetMethod,
                    IObjectCreationOperation c => c.Constructor,
                    IPropertyReferenceOperation p => p.Property,
                    IFieldReferenceOperation f => f.Field,
                    IMethodReferenceOperation m => m.Method,
                    IEventReferenceOperation e => e.Event,
                    IConversionOperation { OperatorMethod: { } conversion } => conversion,
                    IBinaryOperation { OperatorMethod: { } binary } => binary,
                    IUnaryOperation { OperatorMethod: { } unary } => unary,
                    ICompoundAssignmentOperation { OperatorMethod: { } compound } => compound,
                    IIncrementOrDecrementOperation { OperatorMethod: { } increment } => increment,
                    _ => null,
                };
                var reason = (used is null ? null : CheckSymbol(used, script)) ?? CheckType(op.Type, script);
                if (reason is not null && !errors.Any(e => e.Message == reason && SameSpot(e, op.Syntax)))
                {
                    Add(errors, op.Syntax, SafetyCodes.ForbiddenApi, reason);
                }
            }
        }
    }

    private static bool SameSpot(ScriptError e, SyntaxNode node)
    {
        var span = node.GetLocation().GetMappedLineSpan();
        return e.Line == span.StartLinePosition.Line + 1;
    }

    private static void Add(List<ScriptError> errors, SyntaxNode node, string code, string reason)
    {
        var span = node.GetLocation().GetMappedLineSpan();
        errors.Add(new ScriptError(span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, code, reason));
    }

    internal static string? CheckSymbol(ISymbol symbol, IAssemblySymbol script) => symbol switch
    {
        IAliasSymbol a => CheckSymbol(a.Target, script),
        INamespaceSymbol ns => ns.IsGlobalNamespace || AllowedNamespacePrefixes.Contains(ns.ToDisplayString()) || ns.ToDisplayString() == ScriptNamespace
            ? null
            : $"namespace '{ns.ToDisplayString()}' is not allowed: {AllowList.ReasonFor(ns.ToDisplayString())}",
        ITypeSymbol t => CheckType(t, script),
        IMethodSymbol m => CheckMethod(m, script),
        IPropertySymbol p => CheckMember(p.OriginalDefinition.ContainingType, p.Name, script) ?? CheckType(p.Type, script),
        IFieldSymbol f => CheckMember(f.OriginalDefinition.ContainingType, f.Name, script) ?? CheckType(f.Type, script),
        IEventSymbol e => $"event '{e.Name}' is not allowed in scripts",
        ILocalSymbol l => CheckType(l.Type, script),
        IParameterSymbol p => CheckType(p.Type, script),
        IRangeVariableSymbol or ILabelSymbol or IDiscardSymbol or IPreprocessingSymbol => null,
        _ => $"'{symbol.ToDisplayString()}' ({symbol.Kind}) is not allowed in scripts",
    };

    private static string? CheckMethod(IMethodSymbol m, IAssemblySymbol script)
    {
        if (m.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction)
        {
            return CheckType(m.ReturnType, script) ?? m.Parameters.Select(p => CheckType(p.Type, script)).FirstOrDefault(r => r is not null);
        }

        var definition = (m.ReducedFrom ?? m).OriginalDefinition;
        return CheckMember(definition.ContainingType, definition.Name, script)
               ?? m.TypeArguments.Select(t => CheckType(t, script)).FirstOrDefault(r => r is not null)
               ?? CheckType(m.ReturnType, script);
    }

    private static string? CheckMember(INamedTypeSymbol? type, string member, IAssemblySymbol script)
    {
        if (type is null || type.IsAnonymousType || type.IsTupleType || SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, script))
        {
            return null;
        }

        var root = Outermost(type.OriginalDefinition);
        var name = FullName(root);
        if (AllowList.Namespaces.Contains(root.ContainingNamespace.ToDisplayString()) || AllowList.Types.Contains(name))
        {
            return null;
        }

        if (AllowList.Members.TryGetValue(name, out var members))
        {
            if (members.Contains(member))
            {
                return null;
            }

            return (name, member) switch
            {
                ("System.Object", "GetType") => "'GetType()' is not allowed: scripts cannot use reflection",
                ("System.DateTime" or "System.DateTimeOffset", "Now" or "UtcNow" or "Today") =>
                    $"'{root.Name}.{member}' is not allowed: use Now, the point of sale's clock (testable, in the right time zone)",
                _ => $"'{root.Name}.{member}' is not allowed in scripts: it is not on the allow-list",
            };
        }

        return CheckType(type, script);
    }

    internal static string? CheckType(ITypeSymbol? type, IAssemblySymbol script)
    {
        switch (type)
        {
            case null or IErrorTypeSymbol or ITypeParameterSymbol:
                return null;
            case IDynamicTypeSymbol:
                return "'dynamic' is not allowed: scripts must be statically typed (dynamic binding uses reflection)";
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return "pointers are not allowed in scripts";
            case IArrayTypeSymbol array:
                return CheckType(array.ElementType, script);
            case INamedTypeSymbol named:
                if (SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, script))
                {
                    return null;
                }

                if (named.IsTupleType)
                {
                    return named.TupleElements.Select(e => CheckType(e.Type, script)).FirstOrDefault(r => r is not null);
                }

                if (named.IsAnonymousType || (named.IsImplicitlyDeclared && named.TypeKind == TypeKind.Delegate))
                {
                    return named.DelegateInvokeMethod is { } invoke
                        ? CheckType(invoke.ReturnType, script) ?? invoke.Parameters.Select(p => CheckType(p.Type, script)).FirstOrDefault(r => r is not null)
                        : null;
                }

                var argumentReason = named.TypeArguments.Select(t => CheckType(t, script)).FirstOrDefault(r => r is not null);
                if (argumentReason is not null)
                {
                    return argumentReason;
                }

                var root = Outermost(named.OriginalDefinition);
                var name = FullName(root);
                var ns = root.ContainingNamespace?.ToDisplayString() ?? "";
                if (AllowList.Namespaces.Contains(ns) || AllowList.Types.Contains(name) || AllowList.Members.ContainsKey(name))
                {
                    return null;
                }

                var reason = TypeReasons.TryGetValue(name, out var r0) ? r0 : AllowList.ReasonFor(ns);
                return $"'{root.ToDisplayString()}' is not allowed: {reason}";
            default:
                return $"'{type.ToDisplayString()}' is not allowed in scripts";
        }
    }

    private static INamedTypeSymbol Outermost(INamedTypeSymbol type)
    {
        while (type.ContainingType is { } outer)
        {
            type = outer.OriginalDefinition;
        }

        return type;
    }

    private static string FullName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + type.MetadataName;
    }

    private static FrozenSet<string> BuildNamespacePrefixes()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in AllowList.Namespaces
                     .Concat(AllowList.Types.Select(NamespaceOf))
                     .Concat(AllowList.Members.Keys.Select(NamespaceOf)))
        {
            var parts = ns.Split('.');
            for (var i = 1; i <= parts.Length; i++)
            {
                set.Add(string.Join('.', parts.Take(i)));
            }
        }

        return set.ToFrozenSet(StringComparer.Ordinal);
    }

    private static string NamespaceOf(string fullName) => fullName[..fullName.LastIndexOf('.')];
}
