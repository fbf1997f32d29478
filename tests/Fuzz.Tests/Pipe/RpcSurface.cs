using System.Reflection;
using Middleware.Domain.Rpc;

namespace Middleware.Fuzz.Tests.Pipe;

/// <summary>One parameter of a till method, as the pipe binds it by name.</summary>
internal sealed record RpcParameter(string Name, Type Type, bool Optional);

/// <summary>One till method: its name, whether it is mutating, its parameters (without the cancellation token).</summary>
internal sealed record RpcMethod(string Name, bool Mutating, IReadOnlyList<RpcParameter> Parameters);

/// <summary>
/// Every till method of the host, found the way the pipe server finds them: the <see cref="RpcMethodAttribute"/>
/// methods of every <see cref="IRpcTarget"/> class in the host's assemblies, plus <c>hello</c> (the server's own).
/// The fuzzer checks this list against <c>hello</c>'s capabilities, so a method added later is fuzzed too.
/// </summary>
internal static class RpcSurface
{
    public static readonly RpcMethod Hello = new("hello", false,
        [new RpcParameter("pointOfSale", typeof(string), false), new RpcParameter("till", typeof(string), true)]);

    public static IReadOnlyList<RpcMethod> Discover()
    {
        var methods = new List<RpcMethod> { Hello };
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "Middleware.*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.EndsWith(".Tests", StringComparison.Ordinal))
            {
                continue;
            }

            Assembly assembly;
            try
            {
                assembly = Assembly.Load(new AssemblyName(name));
            }
            catch (Exception ex) when (ex is FileNotFoundException or BadImageFormatException or FileLoadException)
            {
                continue;
            }

            foreach (var type in LoadableTypes(assembly).Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRpcTarget).IsAssignableFrom(t)))
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (method.GetCustomAttribute<RpcMethodAttribute>() is not { } attribute)
                    {
                        continue;
                    }

                    var parameters = method.GetParameters()
                        .Where(p => p.ParameterType != typeof(CancellationToken))
                        .Select(p => new RpcParameter(p.Name!, p.ParameterType, p.IsOptional))
                        .ToList();
                    methods.Add(new RpcMethod(attribute.Name, attribute.Mutating, parameters));
                }
            }
        }

        return methods.DistinctBy(m => m.Name).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}
