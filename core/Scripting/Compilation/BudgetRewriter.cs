using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// Injects the script's budget: <c>Tick()</c> before every statement and at every loop back-edge and goto;
/// <c>After(...)</c> around every call that returns a value, <c>Text(...)</c> around every string built by <c>+</c>,
/// interpolation or a call, <c>Items(...)</c> around every sequence a call returns (so each element costs a step);
/// <c>Count(...)</c> around array sizes and the count/capacity/width argument of library calls (checked before the
/// allocation); <c>Enter()/try/finally Leave()</c> around the body of the script, of local functions and of lambdas
/// (a call-depth limit, so unbounded recursion fails cleanly instead of overflowing the stack), and <c>Check()</c>
/// first in every catch block (a script cannot swallow its own budget failure). Runs after the safety check, on the
/// accepted tree; every decision reads the semantic model of the original nodes.
/// </summary>
internal sealed class BudgetRewriter(SemanticModel model, string entryMethod, CancellationToken ct) : CSharpSyntaxRewriter
{
    private const string Budget = "global::Middleware.Scripting.Runtime.ScriptBudget";
    private static readonly StatementSyntax TickCall = ParseStatement(Budget + ".Tick();");
    private static readonly StatementSyntax EnterCall = ParseStatement(Budget + ".Enter();");
    private static readonly StatementSyntax LeaveCall = ParseStatement(Budget + ".Leave();");
    private static readonly StatementSyntax CheckCall = ParseStatement(Budget + ".Check();");

    /// <summary>Library parameters whose value is a number of elements or characters to allocate.</summary>
    private static readonly HashSet<string> SizeParameters = new(StringComparer.Ordinal) { "capacity", "count", "repeatCount", "totalWidth", "length" };

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(node))]
    public override SyntaxNode? Visit(SyntaxNode? node)
    {
        ct.ThrowIfCancellationRequested();
        return base.Visit(node);
    }

    public override SyntaxNode? VisitBlock(BlockSyntax node)
    {
        var n = (BlockSyntax)base.VisitBlock(node)!;
        return n.WithStatements(Ticked(n.Statements));
    }

    public override SyntaxNode? VisitSwitchSection(SwitchSectionSyntax node)
    {
        var n = (SwitchSectionSyntax)base.VisitSwitchSection(node)!;
        return n.WithStatements(Ticked(n.Statements));
    }

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var n = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
        if (model.GetSymbolInfo(node, ct).Symbol is not IMethodSymbol method)
        {
            return n; // nameof(...), or an error the compiler reported already
        }

        n = n.WithArgumentList(SizedArguments(node.ArgumentList, n.ArgumentList, method));
        if (method.ContainingType?.SpecialType == SpecialType.System_String && method.Name is "Join" or "Concat" && method.IsStatic)
        {
            // The same overloads, with the parts' total length checked before the string is allocated.
            n = n.WithExpression(ParseExpression("global::Middleware.Scripting.Runtime.ScriptBudgetJoins." + method.Name).WithTriviaFrom(n.Expression));
        }
        if (method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly || method.ReturnType.IsRefLikeType
            || method.ReturnType is IPointerTypeSymbol or IFunctionPointerTypeSymbol || InConditionalAccess(node))
        {
            return n;
        }

        return Wrap(method.ReturnType, n);
    }

    public override SyntaxNode? VisitObjectCreationExpression(ObjectCreationExpressionSyntax node)
    {
        var n = (ObjectCreationExpressionSyntax)base.VisitObjectCreationExpression(node)!;
        return model.GetSymbolInfo(node, ct).Symbol is IMethodSymbol ctor && node.ArgumentList is { } args && n.ArgumentList is { } newArgs
            ? n.WithArgumentList(SizedArguments(args, newArgs, ctor))
            : n;
    }

    public override SyntaxNode? VisitImplicitObjectCreationExpression(ImplicitObjectCreationExpressionSyntax node)
    {
        var n = (ImplicitObjectCreationExpressionSyntax)base.VisitImplicitObjectCreationExpression(node)!;
        return model.GetSymbolInfo(node, ct).Symbol is IMethodSymbol ctor ? n.WithArgumentList(SizedArguments(node.ArgumentList, n.ArgumentList, ctor)) : n;
    }

    public override SyntaxNode? VisitArrayRankSpecifier(ArrayRankSpecifierSyntax node)
    {
        var n = (ArrayRankSpecifierSyntax)base.VisitArrayRankSpecifier(node)!;
        if (node.Parent is not ArrayTypeSyntax { Parent: ArrayCreationExpressionSyntax { Initializer: null } })
        {
            return n; // a type (int[]) or a size the initializer fixes
        }

        return n.WithSizes(SeparatedList(n.Sizes.Select((size, i) => size is OmittedArraySizeExpressionSyntax
            ? size
            : (ExpressionSyntax)Call("Count", CastExpression(PredefinedType(Token(SyntaxKind.LongKeyword)), ParenthesizedExpression(size))))));
    }

    public override SyntaxNode? VisitBinaryExpression(BinaryExpressionSyntax node)
    {
        var n = (BinaryExpressionSyntax)base.VisitBinaryExpression(node)!;
        return node.IsKind(SyntaxKind.AddExpression) && IsBuiltString(node) ? Call("Text", n) : n;
    }

    public override SyntaxNode? VisitInterpolatedStringExpression(InterpolatedStringExpressionSyntax node)
    {
        var n = (InterpolatedStringExpressionSyntax)base.VisitInterpolatedStringExpression(node)!;
        return IsBuiltString(node) && model.GetTypeInfo(node, ct).ConvertedType?.SpecialType == SpecialType.System_String ? Call("Text", n) : n;
    }

    public override SyntaxNode? VisitAssignmentExpression(AssignmentExpressionSyntax node)
    {
        var n = (AssignmentExpressionSyntax)base.VisitAssignmentExpression(node)!;
        return node.IsKind(SyntaxKind.AddAssignmentExpression) && model.GetTypeInfo(node, ct).Type?.SpecialType == SpecialType.System_String
            ? Call("Text", n)
            : n;
    }

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
    {
        var n = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
        return n.WithStatement(Ticked(n.Statement));
    }

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
    {
        var n = (DoStatementSyntax)base.VisitDoStatement(node)!;
        return n.WithStatement(Ticked(n.Statement));
    }

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
    {
        var n = (ForStatementSyntax)base.VisitForStatement(node)!;
        return n.WithStatement(Ticked(n.Statement));
    }

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
    {
        var n = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
        return n.WithStatement(Ticked(n.Statement));
    }

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node)
    {
        var n = (ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!;
        return n.WithStatement(Ticked(n.Statement));
    }

    public override SyntaxNode? VisitGotoStatement(GotoStatementSyntax node)
    {
        var n = (GotoStatementSyntax)base.VisitGotoStatement(node)!;
        return Block(TickCall, n.WithoutLeadingTrivia()).WithLeadingTrivia(n.GetLeadingTrivia());
    }

    public override SyntaxNode? VisitCatchClause(CatchClauseSyntax node)
    {
        var n = (CatchClauseSyntax)base.VisitCatchClause(node)!;
        return n.WithBlock(n.Block.WithStatements(n.Block.Statements.Insert(0, CheckCall)));
    }

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var n = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        return node.Identifier.Text == entryMethod && n.Body is { } body ? n.WithBody(Guarded(body)) : n;
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var returnsVoid = node.ReturnType is PredefinedTypeSyntax p && p.Keyword.IsKind(SyntaxKind.VoidKeyword);
        var n = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        if (n.Body is { } body)
        {
            return n.WithBody(Guarded(body));
        }

        return n.ExpressionBody is { } arrow
            ? n.WithExpressionBody(null).WithSemicolonToken(default).WithBody(Guarded(AsBlock(arrow.Expression, returnsVoid)))
            : n;
    }

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) =>
        RewriteLambda(node, (AnonymousFunctionExpressionSyntax)base.VisitSimpleLambdaExpression(node)!);

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) =>
        RewriteLambda(node, (AnonymousFunctionExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!);

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node) =>
        RewriteLambda(node, (AnonymousFunctionExpressionSyntax)base.VisitAnonymousMethodExpression(node)!);

    private SyntaxNode RewriteLambda(AnonymousFunctionExpressionSyntax original, AnonymousFunctionExpressionSyntax n)
    {
        if (n.Block is { } block)
        {
            return n.WithBlock(Guarded(block));
        }

        if (n.ExpressionBody is { } expression)
        {
            var returnsVoid = model.GetSymbolInfo(original, ct).Symbol is IMethodSymbol { ReturnsVoid: true };
            return n.WithExpressionBody(null).WithBlock(Guarded(AsBlock(expression, returnsVoid)));
        }

        return n;
    }

    private static BlockSyntax AsBlock(ExpressionSyntax expression, bool returnsVoid) => expression switch
    {
        ThrowExpressionSyntax t => Block(ThrowStatement(t.Expression)),
        _ when returnsVoid => Block(ExpressionStatement(expression)),
        _ => Block(ReturnStatement(expression)),
    };

    private static StatementSyntax Ticked(StatementSyntax body) => Block(TickCall, body);

    private static SyntaxList<StatementSyntax> Ticked(SyntaxList<StatementSyntax> statements) =>
        List(statements.SelectMany(s => new[] { TickCall, s }));

    private bool IsBuiltString(ExpressionSyntax node) =>
        model.GetTypeInfo(node, ct).Type?.SpecialType == SpecialType.System_String && !model.GetConstantValue(node, ct).HasValue;

    private static InvocationExpressionSyntax Call(string method, ExpressionSyntax argument) =>
        InvocationExpression(ParseExpression(Budget + "." + method), ArgumentList(SingletonSeparatedList(Argument(argument))));

    private static ExpressionSyntax Wrap(ITypeSymbol type, ExpressionSyntax call) => type switch
    {
        { SpecialType: SpecialType.System_String } => Call("Text", call),
        INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } => Call("Items", call),
        _ => Call("After", call),
    };

    /// <summary>A call inside <c>a?.B()</c>: its receiver only exists within the conditional access.</summary>
    private static bool InConditionalAccess(InvocationExpressionSyntax node)
    {
        var e = node.Expression;
        while (true)
        {
            switch (e)
            {
                case MemberAccessExpressionSyntax m:
                    e = m.Expression;
                    break;
                case InvocationExpressionSyntax i:
                    e = i.Expression;
                    break;
                case ElementAccessExpressionSyntax a:
                    e = a.Expression;
                    break;
                case MemberBindingExpressionSyntax or ElementBindingExpressionSyntax:
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>The count/capacity/width arguments of a library call, checked before the library allocates.</summary>
    private ArgumentListSyntax SizedArguments(ArgumentListSyntax original, ArgumentListSyntax rewritten, IMethodSymbol method)
    {
        if (SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, model.Compilation.Assembly)
            || model.GetOperation(original.Parent!, ct) is not IOperation operation)
        {
            return rewritten;
        }

        var arguments = operation switch
        {
            Microsoft.CodeAnalysis.Operations.IInvocationOperation i => i.Arguments,
            Microsoft.CodeAnalysis.Operations.IObjectCreationOperation c => c.Arguments,
            _ => default,
        };
        if (arguments.IsDefaultOrEmpty)
        {
            return rewritten;
        }

        var list = rewritten.Arguments;
        foreach (var argument in arguments)
        {
            if (argument.Syntax is ArgumentSyntax syntax && argument.Parameter is { } parameter && SizeParameters.Contains(parameter.Name)
                && parameter.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 && parameter.RefKind == RefKind.None
                && original.Arguments.IndexOf(syntax) is var index and >= 0)
            {
                list = list.Replace(list[index], list[index].WithExpression(Call("Count", list[index].Expression)));
            }
        }

        return rewritten.WithArguments(list);
    }

    private static BlockSyntax Guarded(BlockSyntax body) =>
        Block(EnterCall, TryStatement(body, default, FinallyClause(Block(LeaveCall))));
}
