using System.Reflection;
using System.Runtime.Loader;

namespace Middleware.Scripting.Compilation;

/// <summary>
/// A collectible context per script version: unloading it frees the script's assembly once no call uses it, so
/// 1,000 edits do not grow memory. The host's assemblies (globals, domain, framework) resolve from the host's own
/// context, so the script and the host share the very same types.
/// </summary>
internal sealed class ScriptLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    private static readonly AssemblyLoadContext HostContext = GetLoadContext(typeof(ScriptLoadContext).Assembly) ?? Default;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        foreach (var assembly in HostContext.Assemblies)
        {
            if (AssemblyName.ReferenceMatchesDefinition(assemblyName, assembly.GetName()))
            {
                return assembly;
            }
        }

        return null;
    }
}
