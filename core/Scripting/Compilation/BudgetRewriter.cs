using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// Injects the script's budget: <c>Tick()</c> at every loop back-edge and goto, <c>Enter()/try/finally Leave()</c>
/// around the body of the script, of local functions and of lambdas (a call-depth limit, so unbounded recursion
/// fails cleanly instead of overflowing the stack), and <c>Check()</c> first in every catch block (a script cannot
/// swallow its own budget failure). Runs after the safety check, on the accepted tree.
/// </summary>
internal sealed class BudgetRewriter(SemanticModel model, string entryMethod) : CSharpSyntaxRewriter
{
    private const string Budget = "global::Middleware.Scripting.Runtime.ScriptBudget";
    private static readonly StatementSyntax TickCall = ParseStatement(Budget + ".Tick();");
    private static readonly StatementSyntax EnterCall = ParseStatement(Budget + ".Enter();");
    private static readonly StatementSyntax LeaveCall = ParseStatement(Budget + ".Leave();");
    private static readonly StatementSyntax CheckCall = ParseStatement(Budget + ".Check();");

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
            var returnsVoid = model.GetSymbolInfo(original).Symbol is IMethodSymbol { ReturnsVoid: true };
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

    private static BlockSyntax Guarded(BlockSyntax body) =>
        Block(EnterCall, TryStatement(body, default, FinallyClause(Block(LeaveCall))));
}
