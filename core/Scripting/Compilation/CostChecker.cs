using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// Refuses library calls whose cost one argument multiplies beyond what the runtime budget can stop in time (it is
/// checked between calls, and a single call can allocate gigabytes): replacements by a computed string, capacities set by hand, and format strings or interpolation widths that pad
/// to millions of characters. Sizes the budget can check before the call (counts, widths, array lengths) are
/// instrumented by <see cref="BudgetRewriter"/> instead.
/// </summary>
internal static partial class CostChecker
{
    /// <summary>Widths and precisions above this are refused (<c>{x,1000}</c>, <c>D1000</c>).</summary>
    public const int MaxFormatNumber = 999;

    public static void Check(SemanticModel model, CompilationUnitSyntax root, List<ScriptError> errors, CancellationToken ct)
    {
        foreach (var node in root.DescendantNodes())
        {
            ct.ThrowIfCancellationRequested();
            var reason = node switch
            {
                InterpolationSyntax i => CheckInterpolation(model, i, ct),
                InvocationExpressionSyntax or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => CheckCall(model, node, ct),
                MemberAccessExpressionSyntax m when m.Name.Identifier.Text == "Capacity" && model.GetSymbolInfo(m, ct).Symbol is IPropertySymbol =>
                    "'Capacity' is not allowed: a collection grows by itself, and a capacity set by hand allocates it all at once",
                _ => null,
            };
            if (reason is not null)
            {
                errors.Add(ScriptShape.At(node, SafetyCodes.ForbiddenApi, reason));
            }
        }
    }

    private static string? CheckInterpolation(SemanticModel model, InterpolationSyntax node, CancellationToken ct)
    {
        if (node.AlignmentClause is { } alignment
            && (model.GetConstantValue(alignment.Value, ct) is not { HasValue: true, Value: int width } || Math.Abs((long)width) > MaxFormatNumber))
        {
            return $"an interpolation width must be a constant of at most {MaxFormatNumber} (it pads the text to that many characters)";
        }

        return node.FormatClause is { } format ? CheckFormat(format.FormatStringToken.ValueText) : null;
    }

    private static string? CheckCall(SemanticModel model, SyntaxNode node, CancellationToken ct)
    {
        var operation = model.GetOperation(node, ct);
        var (method, arguments) = operation switch
        {
            IInvocationOperation i => (i.TargetMethod, i.Arguments),
            IObjectCreationOperation { Constructor: { } c } o => (c, o.Arguments),
            _ => (null, default),
        };
        if (method is null)
        {
            return null;
        }

        var type = method.ContainingType?.ToDisplayString();
        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { Type.SpecialType: SpecialType.System_String } parameter || argument.ArgumentKind != ArgumentKind.Explicit)
            {
                continue;
            }

            var constant = argument.Value.ConstantValue;
            if (method.Name == "Replace" && type is "string" or "System.Text.StringBuilder" && parameter.Ordinal == 1 && !constant.HasValue)
            {
                return "Replace(..., text) needs a constant replacement text: a computed one can multiply the string's size";
            }

            if (parameter.Name == "format")
            {
                if (constant is not { HasValue: true, Value: string format })
                {
                    return "a format string must be a constant (\"0.00\", \"yyyy-MM-dd\"): a computed one can pad to millions of characters";
                }

                if (CheckFormat(format) is { } reason)
                {
                    return reason;
                }
            }
        }

        return null;
    }

    private static string? CheckFormat(string format)
    {
        foreach (Match m in Digits().Matches(format))
        {
            if (m.Value.TrimStart('0') is { Length: > 0 } digits && (digits.Length > 3 || int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) > MaxFormatNumber))
            {
                return $"format '{format}' asks for {m.Value} characters or digits; at most {MaxFormatNumber} are allowed";
            }
        }

        return null;
    }

    [GeneratedRegex("[0-9]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Digits();
}
