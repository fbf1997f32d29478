using System.Collections.Frozen;
using System.Reflection;
using Middleware.Domain.Rpc;

namespace Middleware.Pipe.Server;

/// <summary>One till-protocol method found on an <see cref="IRpcTarget"/>.</summary>
internal sealed record RpcMethodEntry(string Name, MethodInfo Method, object Target, bool Mutating, AnswerDurability Durability = AnswerDurability.PowerCut, bool Operator = false)
{
    /// <summary>The method's parameters, read once (<see cref="MethodBase.GetParameters"/> copies its array on each call).</summary>
    public ParameterInfo[] Parameters { get; } = Method.GetParameters();

    /// <summary>The position of the <c>requestId</c> parameter, or -1.</summary>
    public int RequestIdIndex { get; } = Array.FindIndex(Method.GetParameters(), p => p.Name == Idempotency.IdempotencyGate.RequestIdParameter);
}

/// <summary>The methods of every <see cref="IRpcTarget"/> in DI, by name. Built once when the server starts.</summary>
internal sealed class RpcMethodRegistry
{
    /// <summary>Names handled by the server itself rather than a target.</summary>
    public const string HelloMethod = "hello";

    private readonly FrozenDictionary<string, RpcMethodEntry> methods;

    public RpcMethodRegistry(IEnumerable<IRpcTarget> targets)
    {
        var found = new Dictionary<string, RpcMethodEntry>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            foreach (var method in target.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                var attribute = method.GetCustomAttribute<RpcMethodAttribute>();
                if (attribute is null)
                {
                    continue;
                }

                if (string.IsNullOrWhiteSpace(attribute.Name) || attribute.Name == HelloMethod || attribute.Name.StartsWith("rpc.", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{target.GetType().FullName}.{method.Name}: '{attribute.Name}' is not an allowed method name.");
                }

                if (attribute.Mutating && !method.GetParameters().Any(p => p.Name == Idempotency.IdempotencyGate.RequestIdParameter))
                {
                    throw new InvalidOperationException($"{target.GetType().FullName}.{method.Name}: mutating method '{attribute.Name}' must declare a 'requestId' parameter.");
                }

                if (!found.TryAdd(attribute.Name, new RpcMethodEntry(attribute.Name, method, target, attribute.Mutating, attribute.Durability, attribute.Operator)))
                {
                    throw new InvalidOperationException($"Two methods are named '{attribute.Name}': {found[attribute.Name].Target.GetType().FullName} and {target.GetType().FullName}.");
                }
            }
        }

        methods = found.ToFrozenDictionary(StringComparer.Ordinal);
        MutatingRequestIdIndex = methods.Values.Where(m => m.Mutating).ToFrozenDictionary(
            m => m.Name,
            m => Array.FindIndex(m.Method.GetParameters(), p => p.Name == Idempotency.IdempotencyGate.RequestIdParameter),
            StringComparer.Ordinal);
        Capabilities = [HelloMethod, .. methods.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyCollection<RpcMethodEntry> Methods => methods.Values;

    /// <summary>Mutating method names and the position of their <c>requestId</c> parameter.</summary>
    public IReadOnlyDictionary<string, int> MutatingRequestIdIndex { get; }

    /// <summary>Every method name a till may call, <c>hello</c> first.</summary>
    public IReadOnlyList<string> Capabilities { get; }

    public bool TryGet(string name, out RpcMethodEntry entry) => methods.TryGetValue(name, out entry!);
}
