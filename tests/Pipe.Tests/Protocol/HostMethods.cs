using System.Reflection;
using System.Runtime.CompilerServices;
using Middleware.Domain.Rpc;
using Middleware.Pipe.Server;

namespace Middleware.Pipe.Tests.Protocol;

/// <summary>The methods the real host offers tills: what PROTOCOL.md and its schema must describe.</summary>
internal static class HostMethods
{
    /// <summary>The registry the pipe server builds from every <see cref="IRpcTarget"/> of the host's assemblies. The
    /// registry only reflects on the targets' types, so they are created without their services.</summary>
    public static RpcMethodRegistry Registry()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<AssemblyName>([new AssemblyName("Middleware.Host")]);
        var targets = new List<IRpcTarget>();
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name.Name!))
            {
                continue;
            }

            var assembly = Assembly.Load(name);
            targets.AddRange(assembly.GetTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRpcTarget).IsAssignableFrom(t))
                .Select(t => (IRpcTarget)RuntimeHelpers.GetUninitializedObject(t)));
            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Middleware.", StringComparison.Ordinal)))
            {
                pending.Enqueue(reference);
            }
        }

        return new RpcMethodRegistry(targets);
    }
}
